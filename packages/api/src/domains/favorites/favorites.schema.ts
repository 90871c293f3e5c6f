import { routeMeta } from "#platform/meta.ts";
import { favoriteList } from "./favorites.service.ts";

const route = routeMeta(["doctors"]);

/** The REST route of each procedure. */
export const favoriteRoutes = {
  list: route("GET", "/doctors/me/favorites", "The calling patient's favourite doctors, newest first", {
    errorResponses: [409],
  }),
  add: route("POST", "/doctors/{id}/favorite", "Add a doctor to the caller's favourites (idempotent)", {
    errorResponses: [404, 409],
    successMessage: "Added to favourites",
  }),
  remove: route(
    "DELETE",
    "/doctors/{id}/favorite",
    "Remove a doctor from the caller's favourites (idempotent)",
    { errorResponses: [409], successMessage: "Removed from favourites" },
  ),
};

export const ZListFavoritesInput = favoriteList.input;
