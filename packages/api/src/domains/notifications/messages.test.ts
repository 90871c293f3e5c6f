import { describe, expect, test } from "vitest";
import {
  appointmentText,
  billIssuedText,
  claimText,
  formatWhen,
  newSignInText,
  passwordChangedText,
  readerOf,
  recordText,
  reminderText,
} from "./messages.ts";

const algiers = (language: "fr" | "ar" | "en") => ({ language, timeZone: "Africa/Algiers" });
// 09:00 UTC: 10:00 in Algiers (UTC+1 all year), 04:00 in New York in January (UTC-5).
const january12 = new Date("2027-01-12T09:00:00.000Z");

describe("formatWhen", () => {
  test("shows the instant on the reader's clock, day/month and 24-hour time", () => {
    expect(formatWhen(algiers("fr"), january12)).toBe("12/01 à 10:00");
    expect(formatWhen({ language: "fr", timeZone: "America/New_York" }, january12)).toBe("12/01 à 04:00");
    expect(formatWhen({ language: "en", timeZone: "Asia/Tokyo" }, january12)).toBe("12/01 at 18:00");
    expect(formatWhen(algiers("ar"), january12)).toBe("12/01 على الساعة 10:00");
  });

  test("crosses midnight into the reader's next day, and keeps 00 for midnight", () => {
    const late = new Date("2027-01-12T23:30:00.000Z");
    expect(formatWhen({ language: "en", timeZone: "Africa/Algiers" }, late)).toBe("13/01 at 00:30");
  });
});

describe("readerOf", () => {
  test("reads French, Arabic or English from the locale, English for any other, and the account's zone", () => {
    expect(readerOf({ locale: "fr-DZ", timezone: "Africa/Algiers" })).toEqual(algiers("fr"));
    expect(readerOf({ locale: "ar", timezone: "Europe/Paris" })).toEqual({
      language: "ar",
      timeZone: "Europe/Paris",
    });
    expect(readerOf({ locale: "kab", timezone: "Africa/Algiers" }).language).toBe("en");
  });
});

describe("appointment texts", () => {
  const facts = {
    doctorName: "Benali",
    patientName: "Yacine Haddad",
    startsAt: january12,
  } as const;

  test("tell the patient who cancelled, in each language", () => {
    const cancelled = { ...facts, change: "cancelled", side: "patient", by: "doctor" } as const;
    expect(appointmentText(algiers("fr"), cancelled)).toEqual({
      title: "Rendez-vous annulé",
      body: "Votre rendez-vous avec le Dr Benali du 12/01 à 10:00 a été annulé par le médecin.",
    });
    expect(appointmentText(algiers("en"), cancelled)).toEqual({
      title: "Appointment cancelled",
      body: "Your appointment with Dr Benali on 12/01 at 10:00 has been cancelled by the doctor.",
    });
    expect(appointmentText(algiers("ar"), cancelled)).toEqual({
      title: "إلغاء موعد",
      body: "تم إلغاء موعدك مع الدكتور Benali المقرر يوم 12/01 على الساعة 10:00 من طرف الطبيب.",
    });
  });

  test("tell the doctor which patient, and name nobody when the reader acted", () => {
    expect(
      appointmentText(algiers("fr"), { ...facts, change: "booked", side: "doctor", by: "patient" }).body,
    ).toBe("Le rendez-vous de Yacine Haddad le 12/01 à 10:00 a été enregistré par le patient.");
    expect(
      appointmentText(algiers("fr"), { ...facts, change: "booked", side: "patient", by: "self" }).body,
    ).toBe("Votre rendez-vous avec le Dr Benali le 12/01 à 10:00 a été enregistré.");
    expect(
      appointmentText(algiers("en"), { ...facts, change: "rescheduled", side: "doctor", by: "staff" }).body,
    ).toBe("Yacine Haddad's appointment has been moved to 12/01 at 10:00 by the front desk.");
    expect(
      appointmentText(algiers("fr"), { ...facts, change: "noShow", side: "patient", by: "doctor" }).title,
    ).toBe("Rendez-vous manqué");
    expect(
      appointmentText(algiers("en"), { ...facts, change: "completed", side: "patient", by: "admin" }).body,
    ).toBe(
      "Your appointment with Dr Benali on 12/01 at 10:00 has been marked as completed by the administration.",
    );
  });
});

describe("other texts", () => {
  test("say what happened and never carry a value: records, bills, claims, security", () => {
    expect(recordText(algiers("fr"), { change: "created", by: { doctorName: "Benali" } })).toEqual({
      title: "Nouveau document médical",
      body: "Un document a été ajouté à votre dossier médical par le Dr Benali.",
    });
    expect(recordText(algiers("en"), { change: "updated", by: "staff" }).body).toBe(
      "A document in your medical file has been updated by the front desk.",
    );
    expect(billIssuedText(algiers("ar")).title).toBe("فاتورة جديدة");
    expect(claimText(algiers("fr"), "REJECTED").body).toBe("Votre demande de remboursement a été refusée.");
    expect(passwordChangedText({ language: "en", timeZone: "America/New_York" }, january12).body).toContain(
      "on 12/01 at 04:00",
    );
    expect(newSignInText(algiers("fr"), january12).title).toBe("Nouvelle connexion");
  });
});

describe("reminderText", () => {
  test("names the doctor and the time on the reader's clock, in their language", () => {
    const facts = { doctorName: "Benali", startsAt: january12 };
    expect(reminderText(algiers("fr"), facts)).toEqual({
      title: "Rappel de rendez-vous",
      body: "Rappel : votre rendez-vous avec le Dr Benali est prévu le 12/01 à 10:00.",
    });
    expect(reminderText(algiers("ar"), facts).body).toBe(
      "تذكير: موعدك مع الطبيب Benali مقرر يوم 12/01 على الساعة 10:00.",
    );
    expect(reminderText({ language: "en", timeZone: "America/New_York" }, facts).body).toBe(
      "Reminder: your appointment with Dr Benali is on 12/01 at 04:00.",
    );
  });
});
