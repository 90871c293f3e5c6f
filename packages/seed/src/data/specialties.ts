/** The ten demo specialties, in French as the apps show them; the name is the natural key. */
export interface SpecialtyData {
  readonly name: string;
  readonly description: string;
  /** How a practitioner of it is called, for bios ("Cardiologue à Oran…"). */
  readonly practitioner: string;
}

export const SPECIALTIES: readonly SpecialtyData[] = [
  { name: "Cardiologie", description: "Cœur et vaisseaux", practitioner: "Cardiologue" },
  { name: "Dermatologie", description: "Peau, cheveux et ongles", practitioner: "Dermatologue" },
  { name: "Pédiatrie", description: "Enfants et adolescents", practitioner: "Pédiatre" },
  {
    name: "Gynécologie",
    description: "Santé de la femme et suivi de grossesse",
    practitioner: "Gynécologue",
  },
  { name: "ORL", description: "Oreilles, nez et gorge", practitioner: "Médecin ORL" },
  { name: "Médecine interne", description: "Maladies de l'adulte, diagnostic", practitioner: "Interniste" },
  { name: "Ophtalmologie", description: "Yeux et vision", practitioner: "Ophtalmologue" },
  { name: "Neurologie", description: "Cerveau et système nerveux", practitioner: "Neurologue" },
  {
    name: "Orthopédie",
    description: "Os, articulations et traumatologie",
    practitioner: "Chirurgien orthopédiste",
  },
  { name: "Diabétologie", description: "Diabète et maladies métaboliques", practitioner: "Diabétologue" },
];
