/**
 * What Algerian patients write about a consultation, by the rating they give: French, with the
 * darija and Kabyle words people mix in ("saha", "Allah yahfdek", "tanemmirt", "mlih").
 */
export const REVIEW_COMMENTS: Readonly<Record<2 | 3 | 4 | 5, readonly string[]>> = {
  5: [
    "Médecin très à l'écoute, qui prend le temps d'expliquer. Je recommande vivement.",
    "Excellent docteur, diagnostic rapide et précis. Allah yahfdek !",
    "Tanemmirt, docteur ! Accueil chaleureux et soins de qualité.",
    "J'ai consulté pour mon fils, le suivi a été parfait. Saha docteur.",
    "Très professionnel et très humain, on sent l'expérience.",
    "Explications claires, en darija quand il le faut : ma mère a tout compris.",
    "Rendez-vous respecté à l'heure près, cabinet propre. C'est rare, merci !",
    "Enfin un médecin qui écoute. Ordonnance bien expliquée et rappel pour les résultats.",
    "Le meilleur que j'ai consulté en dix ans. Tanemmirt ater !",
    "Patient et rassurant avec les personnes âgées. Mon père était en confiance.",
  ],
  4: [
    "Bon médecin, compétent. Un peu d'attente en salle, mais ça vaut le coup.",
    "Consultation sérieuse et complète. Le secrétariat pourrait être plus aimable.",
    "Très bon suivi, mais difficile d'avoir un rendez-vous rapidement.",
    "Docteur compétent et rassurant. Le tarif est un peu élevé.",
    "Bonne prise en charge, analyses expliquées en détail. Saha.",
    "Sérieux et ponctuel. Le cabinet est un peu difficile à trouver.",
    "Docteur mlih, bonne écoute. Un peu pressé en fin de journée.",
    "Traitement efficace dès la première consultation. Parking compliqué dans le quartier.",
  ],
  3: [
    "Consultation correcte mais trop rapide, je n'ai pas pu poser toutes mes questions.",
    "Compétent, mais plus d'une heure d'attente malgré le rendez-vous.",
    "Bon diagnostic, mais l'accueil au téléphone laisse à désirer.",
    "Le traitement a fonctionné, les explications beaucoup moins.",
    "Cabinet bondé, consultation expédiée. Le docteur reste compétent.",
    "Correct, sans plus. Il a fallu revenir pour une simple ordonnance.",
  ],
  2: [
    "Deux heures d'attente et cinq minutes de consultation. Déçue.",
    "Peu d'explications sur le traitement, j'ai dû consulter ailleurs.",
    "Rendez-vous annulé deux fois sans prévenir. Dommage.",
    "Accueil froid, on ne se sent pas écouté.",
    "Tarif élevé pour une consultation aussi courte.",
  ],
};
