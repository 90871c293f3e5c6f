/**
 * What the demo's front desk bills and which insurers it claims from: consultations and the acts
 * done during them at Algerian private-practice prices, Algeria's social security funds and
 * private complementary insurers with policy numbers of their shapes, and the reasons a fund
 * rejects a claim or the desk voids a bill.
 */
import { digits, type Random } from "../random.ts";

/** An act done during the consultation and billed with it. */
export interface BillableAct {
  readonly label: string;
  /** Centimes of DZD. */
  readonly priceMinor: number;
  /** Who it can be done for, when not everyone (an obstetric ultrasound is a woman's). */
  readonly onlyFor?: "women" | "children";
}

export interface SpecialtyBilling {
  /** The consultation as the bill names it; its price is the doctor's fee. */
  readonly consultation: string;
  readonly acts: readonly BillableAct[];
}

const dinars = (amount: number) => amount * 100;

/**
 * By the doctor's specialty (the name, the natural key): the consultation, billed at the doctor's
 * fee (1,500–5,000 DZD in the demo), and the usual acts of the specialty at private-sector prices,
 * so a specialist's bill with an ultrasound or an EEG comes to 5,000–13,000 DZD.
 */
export const SPECIALTY_BILLING: Readonly<Record<string, SpecialtyBilling>> = {
  Cardiologie: {
    consultation: "Consultation de cardiologie",
    acts: [
      { label: "ECG de repos", priceMinor: dinars(1_500) },
      { label: "Échocardiographie transthoracique", priceMinor: dinars(6_000) },
      { label: "Holter ECG des 24 heures", priceMinor: dinars(7_000) },
    ],
  },
  Dermatologie: {
    consultation: "Consultation de dermatologie",
    acts: [
      { label: "Dermatoscopie", priceMinor: dinars(2_000) },
      { label: "Cryothérapie (azote liquide)", priceMinor: dinars(2_500) },
      { label: "Biopsie cutanée", priceMinor: dinars(4_000) },
    ],
  },
  Pédiatrie: {
    consultation: "Consultation de pédiatrie",
    acts: [
      { label: "Séance d'aérosol", priceMinor: dinars(800) },
      { label: "Test de diagnostic rapide de l'angine", priceMinor: dinars(1_000) },
    ],
  },
  Gynécologie: {
    consultation: "Consultation de gynécologie",
    acts: [
      { label: "Échographie pelvienne", priceMinor: dinars(3_000), onlyFor: "women" },
      { label: "Échographie obstétricale", priceMinor: dinars(3_500), onlyFor: "women" },
      { label: "Frottis cervico-vaginal", priceMinor: dinars(2_500), onlyFor: "women" },
    ],
  },
  ORL: {
    consultation: "Consultation ORL",
    acts: [
      { label: "Audiogramme tonal", priceMinor: dinars(2_500) },
      { label: "Nasofibroscopie", priceMinor: dinars(4_000) },
      { label: "Extraction d'un bouchon de cérumen", priceMinor: dinars(1_500) },
    ],
  },
  "Médecine interne": {
    consultation: "Consultation de médecine interne",
    acts: [{ label: "ECG de repos", priceMinor: dinars(1_500) }],
  },
  Ophtalmologie: {
    consultation: "Consultation d'ophtalmologie",
    acts: [
      { label: "Fond d'œil", priceMinor: dinars(2_000) },
      { label: "Mesure de la pression intraoculaire", priceMinor: dinars(1_000) },
      { label: "OCT maculaire", priceMinor: dinars(6_000) },
    ],
  },
  Neurologie: {
    consultation: "Consultation de neurologie",
    acts: [
      { label: "Électroencéphalogramme (EEG)", priceMinor: dinars(6_000) },
      { label: "Électromyogramme (EMG)", priceMinor: dinars(8_000) },
    ],
  },
  Orthopédie: {
    consultation: "Consultation d'orthopédie",
    acts: [
      { label: "Infiltration articulaire", priceMinor: dinars(3_500) },
      { label: "Pose d'une attelle", priceMinor: dinars(3_000) },
    ],
  },
  Diabétologie: {
    consultation: "Consultation de diabétologie",
    acts: [
      { label: "ECG de repos", priceMinor: dinars(1_500) },
      { label: "HbA1c au cabinet (test rapide)", priceMinor: dinars(1_500) },
    ],
  },
};

/** A specialty without a line above: the consultation alone. */
export const GENERAL_CONSULTATION: SpecialtyBilling = { consultation: "Consultation médicale", acts: [] };

/** Patients seen for these are often in a chronic disease the funds cover in full (ALD, 100 %). */
export const CHRONIC_CARE_SPECIALTIES: readonly string[] = ["Diabétologie", "Cardiologie"];

export interface Insurer {
  readonly provider: string;
  /** A policy number of the insurer's shape, for a patient of `wilaya`, a contract begun in `year`. */
  number(random: Random, wilaya: string, year: number): string;
}

/**
 * Algeria's social security funds: CNAS for salaried workers, their families, students and
 * pensioners (the insured's number, as the README's example writes it), CASNOS for the
 * self-employed (the affiliation number: wilaya, number, year). Both cover 80 %, 100 % for a
 * chronic disease.
 */
export const CNAS: Insurer = {
  provider: "CNAS",
  number: (random, wilaya) => `${wilaya}-${digits(random, 4)}-${digits(random, 4)}-${digits(random, 2)}`,
};
export const CASNOS: Insurer = {
  provider: "CASNOS",
  number: (random, wilaya, year) => `${wilaya}/${digits(random, 6)}/${String(year).slice(2)}`,
};
export const FUND_COVERAGE = 80;
export const CHRONIC_COVERAGE = 100;

/** A private insurer the demo's lapsed complementary is with (the README's patient then registers a new one). */
export const CAAR: Insurer = {
  provider: "CAAR",
  number: (random, wilaya) => `CAAR/GS/${wilaya}/${digits(random, 6)}`,
};

/** Private complementary health insurers: a company's group contract or a personal one. */
export const COMPLEMENTARY_INSURERS: readonly Insurer[] = [
  { provider: "SAA", number: (random, _, year) => `SAA-SANTE-${year}-${digits(random, 6)}` },
  CAAR,
  { provider: "CAAT", number: (random, wilaya) => `CAAT-${wilaya}-MC-${digits(random, 7)}` },
  { provider: "Alliance Assurances", number: (random) => `AA-SC-${digits(random, 6)}` },
  { provider: "AXA Assurances Algérie", number: (random) => `AXA-DZ-SA-${digits(random, 8)}` },
  { provider: "Macir Vie", number: (random, _, year) => `MV-${year}-${digits(random, 5)}` },
];

/**
 * A complementary's share of a bill, all claims on it included (the coverage rule of decision
 * 0027 sums an entry's live claims on any policy): 100 tops the fund's 80 % up to the whole bill,
 * 90 leaves the patient a tenth.
 */
export const COMPLEMENTARY_COVERAGE: readonly number[] = [100, 100, 90];

/** Why a fund or an insurer rejects a claim, as its notice words it. */
export const CLAIM_REJECTIONS: readonly string[] = [
  "Feuille de soins incomplète : cachet et signature du médecin manquants",
  "Droits non ouverts à la date des soins : attestation d'affiliation à fournir",
  "Acte hors nomenclature, non remboursable",
  "Dossier déposé hors délai (plus de trois mois après les soins)",
];

/** Why the desk voids a bill; the billing service takes no reason, so the description says it. */
export const VOID_REASONS: readonly string[] = [
  "Annulée : consultation de contrôle, comprise dans la précédente",
  "Annulée : prise en charge au titre de la convention du personnel de la clinique",
];
