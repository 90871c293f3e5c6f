/** What other domains may use of reviews: nothing yet. */
export {};
