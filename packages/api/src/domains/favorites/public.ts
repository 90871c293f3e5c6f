/** What other domains may use of favourites: nothing yet. */
export {};
