import type { ClaimStatus } from "@medical/db/schema";
import { mailLanguage } from "#platform/mail/messages.ts";

/**
 * The notifications' message catalogue: a title and a body per event, in French, Arabic or
 * English, with times on the reader's clock. Never clinical detail (an appointment's reason, a
 * record's content, a diagnosis) nor billing data (an amount, a description): a notification says
 * that something happened and links to it (its `data`), where reading it is access-checked and
 * audited.
 */

export type Language = "fr" | "ar" | "en";

/** Whom a text is for: their language and their clock. */
export interface Reader {
  language: Language;
  timeZone: string;
}

/** The language of an account's notifications: its mails' (French, Arabic, else English). */
export function readerOf(account: { locale: string; timezone: string }): Reader {
  return { language: mailLanguage(account.locale), timeZone: account.timezone };
}

export interface NotificationText {
  title: string;
  body: string;
}

/**
 * `12/01 à 10:00` on the reader's clock: day/month and a 24-hour time in Latin digits, the form
 * used in Algeria in all three languages.
 */
export function formatWhen(reader: Reader, instant: Date): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: reader.timeZone,
    day: "2-digit",
    month: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    numberingSystem: "latn",
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const date = `${part("day")}/${part("month")}`;
  const time = `${part("hour")}:${part("minute")}`;
  return { fr: `${date} à ${time}`, ar: `${date} على الساعة ${time}`, en: `${date} at ${time}` }[
    reader.language
  ];
}

/**
 * Who made a change, as the reader sees it: themselves (the text then names nobody), the
 * appointment's doctor or patient, the front desk (STAFF), the administration (ADMIN), or the
 * clinic (no account: a job).
 */
export type ChangedBy = "self" | "doctor" | "patient" | "staff" | "admin" | "clinic";

const byPhrase: Record<Language, Record<ChangedBy, string>> = {
  fr: {
    self: "",
    doctor: " par le médecin",
    patient: " par le patient",
    staff: " par le secrétariat",
    admin: " par l'administration",
    clinic: " par la clinique",
  },
  ar: {
    self: "",
    doctor: " من طرف الطبيب",
    patient: " من طرف المريض",
    staff: " من طرف السكرتارية",
    admin: " من طرف الإدارة",
    clinic: " من طرف العيادة",
  },
  en: {
    self: "",
    doctor: " by the doctor",
    patient: " by the patient",
    staff: " by the front desk",
    admin: " by the administration",
    clinic: " by the clinic",
  },
};

export type AppointmentChange = "booked" | "rescheduled" | "cancelled" | "completed" | "noShow";

export interface AppointmentFacts {
  change: AppointmentChange;
  /** The reader's side of the appointment. */
  side: "patient" | "doctor";
  by: ChangedBy;
  /** The doctor's family name ("Benali" in "Dr Benali"). */
  doctorName: string;
  /** The patient's full name: only a doctor's notification shows it. */
  patientName: string;
  startsAt: Date;
}

type AppointmentCopy = Record<
  AppointmentChange,
  { title: string; body(subject: string, when: string, by: string): string }
>;

const appointmentCopy: Record<Language, AppointmentCopy> = {
  fr: {
    booked: { title: "Nouveau rendez-vous", body: (s, w, by) => `${s} le ${w} a été enregistré${by}.` },
    rescheduled: { title: "Rendez-vous déplacé", body: (s, w, by) => `${s} a été déplacé au ${w}${by}.` },
    cancelled: { title: "Rendez-vous annulé", body: (s, w, by) => `${s} du ${w} a été annulé${by}.` },
    completed: {
      title: "Rendez-vous effectué",
      body: (s, w, by) => `${s} du ${w} a été marqué comme effectué${by}.`,
    },
    noShow: {
      title: "Rendez-vous manqué",
      body: (s, w, by) => `${s} du ${w} a été marqué comme manqué${by}.`,
    },
  },
  ar: {
    booked: { title: "موعد جديد", body: (s, w, by) => `تم تسجيل ${s} يوم ${w}${by}.` },
    rescheduled: { title: "تغيير موعد", body: (s, w, by) => `تم نقل ${s} إلى يوم ${w}${by}.` },
    cancelled: { title: "إلغاء موعد", body: (s, w, by) => `تم إلغاء ${s} المقرر يوم ${w}${by}.` },
    completed: { title: "موعد منجز", body: (s, w, by) => `تم تسجيل ${s} المقرر يوم ${w} كموعد منجز${by}.` },
    noShow: { title: "موعد فائت", body: (s, w, by) => `تم تسجيل ${s} المقرر يوم ${w} كموعد فائت${by}.` },
  },
  en: {
    booked: { title: "New appointment", body: (s, w, by) => `${s} on ${w} has been booked${by}.` },
    rescheduled: { title: "Appointment moved", body: (s, w, by) => `${s} has been moved to ${w}${by}.` },
    cancelled: {
      title: "Appointment cancelled",
      body: (s, w, by) => `${s} on ${w} has been cancelled${by}.`,
    },
    completed: {
      title: "Appointment completed",
      body: (s, w, by) => `${s} on ${w} has been marked as completed${by}.`,
    },
    noShow: {
      title: "Missed appointment",
      body: (s, w, by) => `${s} on ${w} has been marked as missed${by}.`,
    },
  },
};

/** The appointment as its reader names it: theirs with the doctor, or the patient's. */
function appointmentSubject(language: Language, facts: AppointmentFacts): string {
  const { doctorName, patientName } = facts;
  const mine = facts.side === "patient";
  switch (language) {
    case "fr":
      return mine ? `Votre rendez-vous avec le Dr ${doctorName}` : `Le rendez-vous de ${patientName}`;
    case "ar":
      return mine ? `موعدك مع الدكتور ${doctorName}` : `موعد ${patientName}`;
    case "en":
      return mine ? `Your appointment with Dr ${doctorName}` : `${patientName}'s appointment`;
  }
}

export function appointmentText(reader: Reader, facts: AppointmentFacts): NotificationText {
  const copy = appointmentCopy[reader.language][facts.change];
  return {
    title: copy.title,
    body: copy.body(
      appointmentSubject(reader.language, facts),
      formatWhen(reader, facts.startsAt),
      byPhrase[reader.language][facts.by],
    ),
  };
}

/** Who wrote to a patient's file: a doctor by name, else the front desk, the administration or the clinic. */
export type RecordAuthor = { doctorName: string } | Exclude<ChangedBy, "self" | "doctor" | "patient">;

const recordCopy: Record<
  Language,
  Record<"created" | "updated", { title: string; body(by: string): string }>
> = {
  fr: {
    created: {
      title: "Nouveau document médical",
      body: (by) => `Un document a été ajouté à votre dossier médical${by}.`,
    },
    updated: {
      title: "Document médical mis à jour",
      body: (by) => `Un document de votre dossier médical a été mis à jour${by}.`,
    },
  },
  ar: {
    created: { title: "وثيقة طبية جديدة", body: (by) => `تمت إضافة وثيقة إلى ملفك الطبي${by}.` },
    updated: { title: "تحديث وثيقة طبية", body: (by) => `تم تحديث وثيقة في ملفك الطبي${by}.` },
  },
  en: {
    created: {
      title: "New medical document",
      body: (by) => `A document has been added to your medical file${by}.`,
    },
    updated: {
      title: "Medical document updated",
      body: (by) => `A document in your medical file has been updated${by}.`,
    },
  },
};

const byDoctor: Record<Language, (name: string) => string> = {
  fr: (name) => ` par le Dr ${name}`,
  ar: (name) => ` من طرف الدكتور ${name}`,
  en: (name) => ` by Dr ${name}`,
};

export function recordText(
  reader: Reader,
  facts: { change: "created" | "updated"; by: RecordAuthor },
): NotificationText {
  const { language } = reader;
  const copy = recordCopy[language][facts.change];
  const by =
    typeof facts.by === "string" ? byPhrase[language][facts.by] : byDoctor[language](facts.by.doctorName);
  return { title: copy.title, body: copy.body(by) };
}

export function billIssuedText(reader: Reader): NotificationText {
  return {
    fr: { title: "Nouvelle facture", body: "Une nouvelle facture est disponible dans votre espace." },
    ar: { title: "فاتورة جديدة", body: "فاتورة جديدة متاحة في فضائك." },
    en: { title: "New bill", body: "A new bill is available in your account." },
  }[reader.language];
}

const claimStatusCopy: Record<Language, { title: string; status: Record<ClaimStatus, string> }> = {
  fr: {
    title: "Demande de remboursement",
    status: {
      SUBMITTED: "Votre demande de remboursement a été transmise à votre assurance.",
      APPROVED: "Votre demande de remboursement a été acceptée.",
      REJECTED: "Votre demande de remboursement a été refusée.",
      PAID: "Votre demande de remboursement a été payée.",
    },
  },
  ar: {
    title: "طلب التعويض",
    status: {
      SUBMITTED: "تم إرسال طلب التعويض الخاص بك إلى شركة التأمين.",
      APPROVED: "تم قبول طلب التعويض الخاص بك.",
      REJECTED: "تم رفض طلب التعويض الخاص بك.",
      PAID: "تم دفع طلب التعويض الخاص بك.",
    },
  },
  en: {
    title: "Insurance claim",
    status: {
      SUBMITTED: "Your insurance claim has been sent to your insurer.",
      APPROVED: "Your insurance claim has been approved.",
      REJECTED: "Your insurance claim has been rejected.",
      PAID: "Your insurance claim has been paid.",
    },
  },
};

export function claimText(reader: Reader, status: ClaimStatus): NotificationText {
  const copy = claimStatusCopy[reader.language];
  return { title: copy.title, body: copy.status[status] };
}

export function passwordChangedText(reader: Reader, at: Date): NotificationText {
  const when = formatWhen(reader, at);
  return {
    fr: {
      title: "Mot de passe modifié",
      body: `Le mot de passe de votre compte a été modifié le ${when}. Si ce n'est pas vous, réinitialisez-le et prévenez la clinique.`,
    },
    ar: {
      title: "تم تغيير كلمة المرور",
      body: `تم تغيير كلمة مرور حسابك يوم ${when}. إذا لم تقم بذلك، أعد تعيينها وأبلغ العيادة.`,
    },
    en: {
      title: "Password changed",
      body: `Your account's password was changed on ${when}. If this was not you, reset it and tell the clinic.`,
    },
  }[reader.language];
}

export function newSignInText(reader: Reader, at: Date): NotificationText {
  const when = formatWhen(reader, at);
  return {
    fr: {
      title: "Nouvelle connexion",
      body: `Une connexion à votre compte depuis un nouvel appareil a eu lieu le ${when}. Si ce n'est pas vous, changez votre mot de passe.`,
    },
    ar: {
      title: "تسجيل دخول جديد",
      body: `تم تسجيل الدخول إلى حسابك من جهاز جديد يوم ${when}. إذا لم تكن أنت، غيّر كلمة المرور.`,
    },
    en: {
      title: "New sign-in",
      body: `Your account was signed in to from a new device on ${when}. If this was not you, change your password.`,
    },
  }[reader.language];
}

const reminderCopy: Record<Language, { title: string; body(doctorName: string, when: string): string }> = {
  fr: {
    title: "Rappel de rendez-vous",
    body: (d, w) => `Rappel : votre rendez-vous avec le Dr ${d} est prévu le ${w}.`,
  },
  ar: { title: "تذكير بموعد", body: (d, w) => `تذكير: موعدك مع الطبيب ${d} مقرر يوم ${w}.` },
  en: {
    title: "Appointment reminder",
    body: (d, w) => `Reminder: your appointment with Dr ${d} is on ${w}.`,
  },
};

/** A patient's reminder of their appointment: the doctor and the time, never the reason. */
export function reminderText(
  reader: Reader,
  facts: { doctorName: string; startsAt: Date },
): NotificationText {
  const copy = reminderCopy[reader.language];
  return { title: copy.title, body: copy.body(facts.doctorName, formatWhen(reader, facts.startsAt)) };
}
