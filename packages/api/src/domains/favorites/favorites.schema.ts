import { routeMeta } from "#platform/meta.ts";
import { favoriteList } from "./favorites.service.ts";

const route = routeMeta(["doctors"]);

/** The REST route of each procedure. */
export const favoriteRoutes = {
  list: route("GET", "/doctors/me/favorites", "The calling patient's favourite doctors, newest first", {
    errors: ["PROFILE_REQUIRED"],
  }),
  add: route("POST", "/doctors/{id}/favorite", "Add a doctor to the caller's favourites (idempotent)", {
    errors: ["NOT_FOUND", "PROFILE_REQUIRED"],
    successMessage: "Added to favourites",
  }),
  remove: route(
    "DELETE",
    "/doctors/{id}/favorite",
    "Remove a doctor from the caller's favourites (idempotent)",
    { errors: ["PROFILE_REQUIRED"], successMessage: "Removed from favourites" },
  ),
};

export const ZListFavoritesInput = favoriteList.input;
