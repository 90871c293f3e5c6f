/**
 * What the demo's doctors write after a visit, by specialty: diagnoses with their ICD-10 codes
 * (CIM-10, as Algerian clinics code them), a treatment plan, prescriptions with the names found in
 * Algerian pharmacies (brands and the local generics of Saidal, Biopharm, El Kendi), clinical notes
 * in the French of a consultation report, and when to come back. Also what patients write in their
 * own file (history notes), and the few edits the demo makes so records have versions.
 */
export interface PrescriptionData {
  readonly medication: string;
  readonly dosage: string;
  readonly route: string;
  readonly frequency: string;
  readonly duration: string | null;
  readonly instructions: string | null;
}

export interface ClinicalTemplate {
  readonly diagnoses: readonly { readonly code: string | null; readonly description: string }[];
  readonly treatmentPlan: string;
  readonly prescriptions: readonly PrescriptionData[];
  readonly clinicalNotes: string;
  /** Days after the visit the doctor wants to see the patient again; null when not needed. */
  readonly followUpDays: number | null;
  /** Who the record can be about, when not everyone: a pregnancy is a woman's, a vaccination check a child's. */
  readonly onlyFor?: "women" | "children";
}

const oral = (
  medication: string,
  dosage: string,
  frequency: string,
  duration: string | null,
  instructions: string | null = null,
): PrescriptionData => ({ medication, dosage, route: "orale", frequency, duration, instructions });

const local = (
  medication: string,
  dosage: string,
  route: string,
  frequency: string,
  duration: string | null,
  instructions: string | null = null,
): PrescriptionData => ({ medication, dosage, route, frequency, duration, instructions });

/** Three records a practitioner of each specialty writes, keyed by the specialty's name. */
export const CLINICAL_RECORDS: Readonly<Record<string, readonly ClinicalTemplate[]>> = {
  Cardiologie: [
    {
      diagnoses: [{ code: "I10", description: "Hypertension artérielle essentielle" }],
      treatmentPlan:
        "Régime pauvre en sel, marche 30 minutes par jour, automesure tensionnelle matin et soir pendant une semaine.",
      prescriptions: [oral("Amlor 5 mg (amlodipine)", "1 comprimé", "une fois par jour, le matin", "3 mois")],
      clinicalNotes:
        "TA 158/96 mmHg aux deux bras, FC 78/min. Pas de signe d'insuffisance cardiaque. ECG : rythme sinusal, pas d'hypertrophie ventriculaire gauche. Bilan : créatinine, ionogramme, glycémie à jeun.",
      followUpDays: 30,
    },
    {
      diagnoses: [
        { code: "I20.8", description: "Angor d'effort stable" },
        { code: "E78.0", description: "Hypercholestérolémie" },
      ],
      treatmentPlan: "Épreuve d'effort programmée, arrêt du tabac, traitement antiagrégant et statine.",
      prescriptions: [
        oral(
          "Kardégic 75 mg (acide acétylsalicylique)",
          "1 sachet",
          "une fois par jour, au déjeuner",
          "6 mois",
        ),
        oral("Tahor 20 mg (atorvastatine)", "1 comprimé", "le soir", "6 mois"),
        local(
          "Natispray 0,15 mg (trinitrine)",
          "1 pulvérisation",
          "sublinguale",
          "en cas de douleur, à renouveler après 5 minutes",
          null,
          "Consulter en urgence si la douleur dure plus de 15 minutes",
        ),
      ],
      clinicalNotes:
        "Douleur thoracique constrictive à la montée des escaliers depuis un mois, cédant au repos. Fumeur, 20 paquets-années. Auscultation normale, ECG de repos sans anomalie.",
      followUpDays: 45,
    },
    {
      diagnoses: [{ code: "R00.2", description: "Palpitations" }],
      treatmentPlan: "Holter ECG de 24 heures et bilan thyroïdien (TSH) avant de conclure. Réduire le café.",
      prescriptions: [],
      clinicalNotes:
        "Palpitations brèves au repos, le soir, sans malaise ni syncope. Examen normal, ECG en rythme sinusal à 72/min.",
      followUpDays: 21,
    },
  ],
  Dermatologie: [
    {
      diagnoses: [{ code: "L20.9", description: "Dermatite atopique" }],
      treatmentPlan:
        "Émollient quotidien, dermocorticoïde sur les plaques en poussée, douches tièdes et courtes.",
      prescriptions: [
        local("Dexeryl crème", "application", "cutanée", "deux fois par jour", "2 mois"),
        local(
          "Diprosone 0,05 % crème (bétaméthasone)",
          "couche fine",
          "cutanée",
          "une fois par jour, le soir",
          "7 jours",
          "Sur les plaques seulement, pas sur le visage",
        ),
      ],
      clinicalNotes: "Plaques érythémateuses et prurigineuses des plis des coudes et des genoux, peau sèche.",
      followUpDays: 30,
    },
    {
      diagnoses: [{ code: "L70.0", description: "Acné vulgaire" }],
      treatmentPlan:
        "Traitement local et antibiotique oral trois mois, photoprotection, pas de manipulation des lésions.",
      prescriptions: [
        oral(
          "Doxycycline Biopharm 100 mg",
          "1 comprimé",
          "une fois par jour, au dîner",
          "3 mois",
          "Avec un grand verre d'eau, pas d'exposition au soleil",
        ),
        local("Erythromycine 4 % gel (Eryfluid)", "application", "cutanée", "le soir", "3 mois"),
      ],
      clinicalNotes: "Acné papulo-pustuleuse du visage et du dos, quelques nodules. Pas de cicatrice.",
      followUpDays: 90,
    },
    {
      diagnoses: [{ code: "B35.4", description: "Dermatophytie de la peau glabre" }],
      treatmentPlan: "Antifongique local, sécher soigneusement après la toilette, linge personnel.",
      prescriptions: [
        local("Pévaryl 1 % crème (éconazole)", "application", "cutanée", "deux fois par jour", "3 semaines"),
      ],
      clinicalNotes: "Lésion annulaire à bordure squameuse de l'avant-bras, prurit modéré.",
      followUpDays: null,
    },
  ],
  Pédiatrie: [
    {
      diagnoses: [{ code: "J03.9", description: "Angine aiguë" }],
      treatmentPlan:
        "Antibiotique six jours, antipyrétique si fièvre, hydratation. Reconsulter si la fièvre persiste à 72 heures.",
      prescriptions: [
        oral(
          "Clamoxyl 250 mg/5 ml suspension buvable (amoxicilline)",
          "50 mg/kg/jour",
          "en deux prises",
          "6 jours",
        ),
        oral(
          "Doliprane 2,4 % suspension buvable (paracétamol)",
          "1 dose-poids",
          "toutes les 6 heures si fièvre",
          "3 jours",
        ),
      ],
      clinicalNotes:
        "Fièvre à 39 °C depuis la veille, amygdales érythémateuses avec enduit, test de diagnostic rapide positif.",
      followUpDays: null,
      onlyFor: "children",
    },
    {
      diagnoses: [{ code: "A09", description: "Gastro-entérite aiguë" }],
      treatmentPlan:
        "Réhydratation orale fractionnée, alimentation normale dès que possible. Signes de déshydratation expliqués aux parents.",
      prescriptions: [
        oral(
          "Soluté de réhydratation orale (SRO)",
          "1 sachet dans 200 ml d'eau",
          "par petites quantités, à volonté",
          "2 jours",
        ),
        oral("Smecta 3 g (diosmectite)", "1 sachet", "trois fois par jour", "3 jours"),
      ],
      clinicalNotes:
        "Diarrhée liquide et vomissements depuis 24 heures, poids stable, enfant tonique, muqueuses humides.",
      followUpDays: null,
      onlyFor: "children",
    },
    {
      diagnoses: [{ code: "Z00.1", description: "Examen de santé de routine de l'enfant" }],
      treatmentPlan:
        "Vaccinations à jour selon le calendrier national, supplémentation en vitamine D, prochain contrôle dans six mois.",
      prescriptions: [oral("Uvestérol D 1 500 UI/ml (vitamine D3)", "1 dose", "une fois par jour", "6 mois")],
      clinicalNotes:
        "Croissance harmonieuse, poids et taille sur le 50e percentile. Développement psychomoteur normal.",
      followUpDays: 180,
      onlyFor: "children",
    },
  ],
  Gynécologie: [
    {
      diagnoses: [{ code: "Z34.9", description: "Surveillance de grossesse normale" }],
      treatmentPlan:
        "Échographie du premier trimestre à 12 SA, bilan prénatal (groupage, sérologies, NFS, glycémie).",
      prescriptions: [
        oral("Acide folique Saidal 0,4 mg", "1 comprimé", "une fois par jour", "jusqu'à 12 SA"),
        oral("Tardyferon 80 mg (sulfate ferreux)", "1 comprimé", "une fois par jour, à jeun", "1 mois"),
      ],
      clinicalNotes: "Grossesse de 8 SA, bien tolérée, nausées matinales. TA 115/70 mmHg.",
      followUpDays: 30,
      onlyFor: "women",
    },
    {
      diagnoses: [{ code: "B37.3", description: "Candidose vulvo-vaginale" }],
      treatmentPlan:
        "Traitement local en une prise, hygiène intime douce, traiter le partenaire s'il a des symptômes.",
      prescriptions: [
        local("Gyno-Pévaryl LP 150 mg (éconazole)", "1 ovule", "vaginale", "le soir au coucher", "une prise"),
      ],
      clinicalNotes: "Prurit et leucorrhées blanchâtres depuis quatre jours, pas de fièvre.",
      followUpDays: null,
      onlyFor: "women",
    },
    {
      diagnoses: [{ code: "N95.1", description: "Troubles de la ménopause" }],
      treatmentPlan:
        "Mesures d'hygiène de vie, apport calcique, ostéodensitométrie et mammographie demandées.",
      prescriptions: [oral("Cacit vitamine D3 1000 mg/880 UI", "1 sachet", "une fois par jour", "6 mois")],
      clinicalNotes: "Bouffées de chaleur et sueurs nocturnes depuis l'arrêt des règles il y a un an.",
      followUpDays: 180,
      onlyFor: "women",
    },
  ],
  ORL: [
    {
      diagnoses: [{ code: "H66.9", description: "Otite moyenne aiguë" }],
      treatmentPlan: "Antibiotique huit jours et antalgique. Contrôle otoscopique à la fin du traitement.",
      prescriptions: [
        oral(
          "Augmentin 1 g (amoxicilline, acide clavulanique)",
          "1 sachet",
          "deux fois par jour, au repas",
          "8 jours",
        ),
        oral("Doliprane 1000 mg (paracétamol)", "1 comprimé", "jusqu'à trois fois par jour", "5 jours"),
      ],
      clinicalNotes: "Otalgie droite depuis deux jours, tympan droit bombé et congestif, fièvre à 38,5 °C.",
      followUpDays: 10,
    },
    {
      diagnoses: [{ code: "J01.9", description: "Sinusite aiguë" }],
      treatmentPlan: "Lavages de nez pluriquotidiens, décongestionnant local cinq jours au plus.",
      prescriptions: [
        local("Sérum physiologique", "1 dosette par narine", "nasale", "quatre fois par jour", "10 jours"),
        local(
          "Derinox solution pour pulvérisation nasale",
          "1 pulvérisation par narine",
          "nasale",
          "trois fois par jour",
          "5 jours",
          "Pas plus de cinq jours",
        ),
      ],
      clinicalNotes: "Obstruction nasale, rhinorrhée purulente et douleur maxillaire depuis une semaine.",
      followUpDays: null,
    },
    {
      diagnoses: [{ code: "J30.4", description: "Rhinite allergique" }],
      treatmentPlan: "Antihistaminique et corticoïde nasal pendant la saison, éviction des acariens.",
      prescriptions: [
        oral("Aerius 5 mg (desloratadine)", "1 comprimé", "une fois par jour", "1 mois"),
        local(
          "Nasonex 50 µg/dose (mométasone)",
          "2 pulvérisations par narine",
          "nasale",
          "une fois par jour",
          "1 mois",
        ),
      ],
      clinicalNotes: "Éternuements en salves, rhinorrhée claire et prurit nasal chaque printemps.",
      followUpDays: 90,
    },
  ],
  "Médecine interne": [
    {
      diagnoses: [{ code: "E78.0", description: "Hypercholestérolémie pure" }],
      treatmentPlan: "Règles hygiéno-diététiques, statine, bilan lipidique et transaminases dans trois mois.",
      prescriptions: [oral("Atorvastatine El Kendi 10 mg", "1 comprimé", "le soir", "3 mois")],
      clinicalNotes: "LDL-cholestérol à 1,90 g/l sur le bilan apporté. Pas d'antécédent cardiovasculaire.",
      followUpDays: 90,
    },
    {
      diagnoses: [{ code: "D50.9", description: "Anémie par carence martiale" }],
      treatmentPlan:
        "Fer oral trois mois, recherche de la cause (bilan digestif si pas d'explication gynécologique).",
      prescriptions: [
        oral(
          "Tardyferon 80 mg (sulfate ferreux)",
          "1 comprimé",
          "deux fois par jour, à jeun",
          "3 mois",
          "Les selles peuvent être noires",
        ),
      ],
      clinicalNotes:
        "Asthénie depuis deux mois, pâleur cutanéo-muqueuse. Hémoglobine 9,8 g/dl, ferritine 6 ng/ml.",
      followUpDays: 60,
    },
    {
      diagnoses: [{ code: "K21.9", description: "Reflux gastro-œsophagien" }],
      treatmentPlan:
        "Inhibiteur de la pompe à protons un mois, surélever la tête du lit, éviter les repas tardifs.",
      prescriptions: [oral("Inexium 20 mg (ésoméprazole)", "1 comprimé", "le matin, à jeun", "4 semaines")],
      clinicalNotes: "Pyrosis après les repas et en position couchée, sans dysphagie ni amaigrissement.",
      followUpDays: 30,
    },
  ],
  Ophtalmologie: [
    {
      diagnoses: [{ code: "H52.1", description: "Myopie" }],
      treatmentPlan: "Correction optique prescrite (OD −1,75 ; OG −2,00), contrôle annuel.",
      prescriptions: [],
      clinicalNotes:
        "Baisse de l'acuité visuelle de loin. Acuité corrigée 10/10 aux deux yeux, fond d'œil normal.",
      followUpDays: 365,
    },
    {
      diagnoses: [{ code: "H10.1", description: "Conjonctivite allergique aiguë" }],
      treatmentPlan: "Collyre antiallergique, lavages au sérum physiologique, ne pas se frotter les yeux.",
      prescriptions: [
        local(
          "Opatanol 1 mg/ml collyre (olopatadine)",
          "1 goutte dans chaque œil",
          "oculaire",
          "deux fois par jour",
          "2 semaines",
        ),
      ],
      clinicalNotes: "Yeux rouges et larmoyants, prurit bilatéral, pas de baisse d'acuité.",
      followUpDays: null,
    },
    {
      diagnoses: [{ code: "H40.1", description: "Glaucome primitif à angle ouvert" }],
      treatmentPlan: "Collyre hypotonisant à vie, champ visuel et OCT dans trois mois.",
      prescriptions: [
        local(
          "Xalatan 0,005 % collyre (latanoprost)",
          "1 goutte dans chaque œil",
          "oculaire",
          "le soir",
          "3 mois",
        ),
      ],
      clinicalNotes: "Pression intraoculaire 26 mmHg aux deux yeux, excavation papillaire 0,6.",
      followUpDays: 90,
    },
  ],
  Neurologie: [
    {
      diagnoses: [{ code: "G43.9", description: "Migraine" }],
      treatmentPlan:
        "Traitement de crise précoce, agenda des crises, traitement de fond si plus de quatre crises par mois.",
      prescriptions: [
        oral(
          "Ibuprofène Saidal 400 mg",
          "1 comprimé",
          "au début de la crise, à renouveler une fois",
          null,
          "Pendant un repas",
        ),
        oral("Avlocardyl 40 mg (propranolol)", "1 comprimé", "deux fois par jour", "3 mois"),
      ],
      clinicalNotes:
        "Céphalées pulsatiles hémicrâniennes avec nausées et photophobie, cinq crises par mois. Examen neurologique normal.",
      followUpDays: 60,
    },
    {
      diagnoses: [{ code: "G40.9", description: "Épilepsie" }],
      treatmentPlan:
        "Poursuite du traitement, dosage sanguin, pas de conduite automobile jusqu'à nouvel ordre.",
      prescriptions: [
        oral("Dépakine Chrono 500 mg (valproate de sodium)", "1 comprimé", "deux fois par jour", "6 mois"),
      ],
      clinicalNotes:
        "Aucune crise depuis six mois sous traitement, bonne tolérance. EEG de contrôle demandé.",
      followUpDays: 90,
    },
    {
      diagnoses: [{ code: "G56.0", description: "Syndrome du canal carpien" }],
      treatmentPlan: "Attelle de repos nocturne, électromyogramme demandé avant de discuter une chirurgie.",
      prescriptions: [],
      clinicalNotes:
        "Paresthésies nocturnes des trois premiers doigts de la main droite, signe de Tinel positif.",
      followUpDays: 45,
    },
  ],
  Orthopédie: [
    {
      diagnoses: [{ code: "M54.5", description: "Lombalgie basse" }],
      treatmentPlan:
        "Antalgiques et anti-inflammatoire cinq jours, reprise progressive de l'activité, kinésithérapie si persistance.",
      prescriptions: [
        oral("Voltarène 50 mg (diclofénac)", "1 comprimé", "trois fois par jour, au repas", "5 jours"),
        oral("Coltramyl 4 mg (thiocolchicoside)", "1 comprimé", "deux fois par jour", "5 jours"),
      ],
      clinicalNotes:
        "Lombalgie mécanique après un effort de soulèvement, sans irradiation ni déficit neurologique.",
      followUpDays: 30,
    },
    {
      diagnoses: [{ code: "S93.4", description: "Entorse de la cheville" }],
      treatmentPlan: "Repos, glace, chevillère ligamentaire trois semaines, appui autorisé selon la douleur.",
      prescriptions: [
        oral("Doliprane 1000 mg (paracétamol)", "1 comprimé", "jusqu'à trois fois par jour", "7 jours"),
      ],
      clinicalNotes:
        "Entorse latérale de la cheville gauche lors d'un match de football, œdème modéré, radiographie sans fracture.",
      followUpDays: 21,
    },
    {
      diagnoses: [{ code: "M17.1", description: "Gonarthrose primaire" }],
      treatmentPlan:
        "Perte de poids, renforcement du quadriceps, infiltration à discuter à la prochaine consultation.",
      prescriptions: [oral("Paracétamol Saidal 1 g", "1 comprimé", "jusqu'à trois fois par jour", "1 mois")],
      clinicalNotes:
        "Douleurs mécaniques des deux genoux, craquements, pincement fémoro-tibial interne à la radiographie.",
      followUpDays: 90,
    },
  ],
  Diabétologie: [
    {
      diagnoses: [{ code: "E11.9", description: "Diabète de type 2 sans complication" }],
      treatmentPlan: "Metformine, régime et activité physique, HbA1c dans trois mois, fond d'œil annuel.",
      prescriptions: [
        oral(
          "Glucophage 850 mg (metformine)",
          "1 comprimé",
          "deux fois par jour, à la fin du repas",
          "3 mois",
        ),
      ],
      clinicalNotes: "HbA1c 7,4 %, glycémie à jeun 1,45 g/l. IMC 29. Pieds sans lésion, monofilament perçu.",
      followUpDays: 90,
    },
    {
      diagnoses: [{ code: "E10.9", description: "Diabète de type 1 sans complication" }],
      treatmentPlan:
        "Schéma basal-bolus, carnet d'autosurveillance, conduite à tenir en cas d'hypoglycémie revue.",
      prescriptions: [
        local("Lantus 100 UI/ml (insuline glargine)", "20 UI", "sous-cutanée", "le soir", "3 mois"),
        local(
          "NovoRapid 100 UI/ml (insuline asparte)",
          "selon le schéma",
          "sous-cutanée",
          "avant chaque repas",
          "3 mois",
        ),
      ],
      clinicalNotes: "Glycémies du carnet entre 0,80 et 2,20 g/l, deux hypoglycémies légères ce mois-ci.",
      followUpDays: 90,
    },
    {
      diagnoses: [
        { code: "E66.9", description: "Obésité" },
        { code: "Z71.3", description: "Conseils diététiques" },
      ],
      treatmentPlan:
        "Objectif de perte de 5 % du poids en six mois, consultation diététique, marche quotidienne.",
      prescriptions: [],
      clinicalNotes: "Poids 98 kg, IMC 34. Glycémie à jeun normale, bilan lipidique demandé.",
      followUpDays: 60,
    },
  ],
};

/** What a doctor adds when results come back: the demo's edits, so records have versions. */
export const RESULTS_ADDENDUM =
  "Résultats reçus depuis la consultation : bilan biologique normal, traitement poursuivi.";

/** What patients write in their own file, in their own words. */
export const HISTORY_NOTES: readonly string[] = [
  "Allergie à la pénicilline depuis l'enfance (urticaire géante).",
  "Appendicectomie en 2012 au CHU Mustapha, sans complication.",
  "Mon père est diabétique de type 2 et ma mère hypertendue.",
  "Je fume une dizaine de cigarettes par jour depuis quinze ans, j'essaie d'arrêter.",
  "Asthme dans l'enfance, plus de crise depuis l'adolescence.",
  "Fracture du poignet droit en 2015, plâtrée six semaines.",
];

/** A patient's edit of their own note: a detail remembered after writing it. */
export const HISTORY_NOTE_ADDENDUM =
  " Précision : le traitement de l'époque était prescrit à l'hôpital de Beni Messous.";

/** A template's text as a record holds it (fresh copies: the record's fields are its own). */
export function clinicalText({ diagnoses, treatmentPlan, prescriptions, clinicalNotes }: ClinicalTemplate) {
  return {
    diagnoses: diagnoses.map((diagnosis) => ({ ...diagnosis })),
    treatmentPlan,
    prescriptions: prescriptions.map((prescription) => ({ ...prescription })),
    clinicalNotes,
  };
}

/** Who a record is about, as far as choosing what it says goes. */
export interface RecordSubject {
  sex: string;
  minor: boolean;
}

/** Whether a record or an act meant for some patients only (a pregnancy, a child's check) suits `subject`. */
export const fits = (item: Pick<ClinicalTemplate, "onlyFor">, subject: RecordSubject) =>
  item.onlyFor === undefined || (item.onlyFor === "women" ? subject.sex === "FEMALE" : subject.minor);

/**
 * The `n`th of the records a doctor of `specialty` writes about `subject` (n any non-negative
 * integer, e.g. a hash), among those that fit the patient: when none does (a man at the
 * gynaecologist's, an adult at the paediatrician's), or the specialty has none, internal
 * medicine's, which fit anyone.
 */
export function clinicalTemplate(
  specialty: string | null,
  n: number,
  subject: RecordSubject,
): ClinicalTemplate {
  const own = (CLINICAL_RECORDS[specialty ?? ""] ?? []).filter((template) => fits(template, subject));
  const templates = own.length ? own : (CLINICAL_RECORDS["Médecine interne"] ?? []);
  const template = templates[n % templates.length];
  if (!template) throw new Error("no clinical record templates");
  return template;
}
