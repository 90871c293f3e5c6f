/** The ten demo cities with what addresses and landlines there look like. */
export interface CityData {
  readonly name: string;
  /** Landline area code after +213 (021 → "21"). */
  readonly areaCode: string;
  /** The wilaya's number (Alger 16): the demo's insurance numbers issued there carry it. */
  readonly wilaya: string;
  readonly streets: readonly string[];
  /** Share of doctors and patients in the generated load (relative weight). */
  readonly weight: number;
  /** A Kabyle-speaking region: more Kabyle names and `kab` among the languages. */
  readonly kabyle: boolean;
}

export const CITIES: readonly CityData[] = [
  {
    name: "Alger",
    areaCode: "21",
    wilaya: "16",
    streets: [
      "rue Didouche Mourad",
      "boulevard Mohamed V",
      "rue Hassiba Ben Bouali",
      "chemin Sfindja, El Biar",
      "rue Larbi Ben M'hidi",
      "boulevard des Martyrs, Hydra",
    ],
    weight: 6,
    kabyle: false,
  },
  {
    name: "Oran",
    areaCode: "41",
    wilaya: "31",
    streets: ["boulevard de l'ALN", "rue Mohamed Khemisti", "boulevard Émir Abdelkader", "rue de Mostaganem"],
    weight: 4,
    kabyle: false,
  },
  {
    name: "Constantine",
    areaCode: "31",
    wilaya: "25",
    streets: [
      "rue Abane Ramdane",
      "boulevard Zighoud Youcef",
      "avenue Aouati Mostefa",
      "rue Larbi Ben M'hidi",
    ],
    weight: 3,
    kabyle: false,
  },
  {
    name: "Tizi Ouzou",
    areaCode: "26",
    wilaya: "15",
    streets: ["boulevard Stiti Ali", "rue Lamali Ahmed", "avenue Abane Ramdane", "cité des 2000 Logements"],
    weight: 2,
    kabyle: true,
  },
  {
    name: "Annaba",
    areaCode: "38",
    wilaya: "23",
    streets: ["cours de la Révolution", "rue Ibn Khaldoun", "boulevard du 1er Novembre 1954"],
    weight: 2,
    kabyle: false,
  },
  {
    name: "Blida",
    areaCode: "25",
    wilaya: "09",
    streets: ["boulevard Larbi Tebessi", "rue des Martyrs", "avenue Kritli Mokhtar"],
    weight: 2,
    kabyle: false,
  },
  {
    name: "Sétif",
    areaCode: "36",
    wilaya: "19",
    streets: ["avenue du 8 Mai 1945", "rue Ben Badis", "boulevard de l'ALN"],
    weight: 2,
    kabyle: false,
  },
  {
    name: "Béjaïa",
    areaCode: "34",
    wilaya: "06",
    streets: ["boulevard Amirouche", "rue de la Liberté", "avenue de l'ALN", "route des Aurès"],
    weight: 2,
    kabyle: true,
  },
  {
    name: "Tlemcen",
    areaCode: "43",
    wilaya: "13",
    streets: ["boulevard Colonel Lotfi", "rue Khedim Ali", "avenue de l'Indépendance"],
    weight: 2,
    kabyle: false,
  },
  {
    name: "Batna",
    areaCode: "33",
    wilaya: "05",
    streets: ["allées Ben Boulaïd", "avenue de l'Indépendance", "rue Mohamed Boudiaf"],
    weight: 2,
    kabyle: false,
  },
];

/** Algerian mobile prefixes after +213 (Ooredoo 55, Mobilis 66/69, Djezzy 77/79): + 7 digits = E.164. */
export const MOBILE_PREFIXES = ["55", "56", "66", "69", "77", "79"] as const;

/** Clinic names: a kind of practice and a name commonly given to one. */
export const CLINIC_KINDS = ["Cabinet médical", "Clinique", "Polyclinique", "Centre médical"] as const;
export const CLINIC_NAMES = [
  "Ibn Sina",
  "Ibn Rochd",
  "El Azhar",
  "El Chifa",
  "Les Oliviers",
  "Les Pins",
  "El Hayat",
  "Es-Salam",
  "Ennakhil",
  "Les Jasmins",
  "El Amel",
  "Tassili",
  "Djurdjura",
  "El Fadjr",
  "Les Orangers",
  "Yasmine",
] as const;

export const EMERGENCY_RELATIONS = {
  female: ["Mère", "Sœur", "Épouse", "Fille"],
  male: ["Père", "Frère", "Époux", "Fils"],
} as const;

/** Street names found in nearly every Algerian city, for generated addresses in any of them. */
export const COMMON_STREETS = [
  "rue Larbi Ben M'hidi",
  "boulevard de l'ALN",
  "boulevard du 1er Novembre 1954",
  "avenue de l'Indépendance",
  "rue des Martyrs",
  "rue Abane Ramdane",
  "rue Didouche Mourad",
  "boulevard Colonel Amirouche",
  "rue Émir Abdelkader",
  "rue Ben Badis",
  "avenue Mohamed Boudiaf",
  "rue Zighoud Youcef",
] as const;
