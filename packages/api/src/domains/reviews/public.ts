/** What other domains may use of reviews: nothing yet (scheduling changes `requireReviewer` in place). */
export {};
