import type { MailKind, MailMessage } from "./mailer.ts";

export type MailRole = "ADMIN" | "DOCTOR" | "PATIENT" | "STAFF";

/** What every builder needs. `appUrl` is the web app's origin; without it the mail carries the code only. */
export interface MailRecipient {
  to: string;
  firstName: string;
  token: string;
  /** The user's locale (`fr-DZ`, `ar`, `en`…); French and Arabic are spoken in the clinics, English is the fallback. */
  locale?: string | null;
  appUrl?: string;
}

type Language = "fr" | "ar" | "en";
type Unit = "minute" | "hour" | "day";

/** Picks the mail language from a locale's primary subtag (`fr-DZ` → fr, `ar_DZ` → ar). */
export function mailLanguage(locale: string | null | undefined): Language {
  const primary = locale?.toLowerCase().split(/[-_]/)[0];
  return primary === "fr" || primary === "ar" ? primary : "en";
}

/** Asks the user to confirm their email address (`POST /api/v1/auth/verify-email` with the token). */
export function verificationMail(input: MailRecipient): MailMessage {
  const language = mailLanguage(input.locale);
  const copy = {
    en: {
      subject: "Confirm your email address",
      intro: "Please confirm your email address.",
      outro: ["If you did not create an account, you can ignore this message."],
    },
    fr: {
      subject: "Confirmez votre adresse e-mail",
      intro: "Merci de confirmer votre adresse e-mail.",
      outro: ["Si vous n'avez pas créé de compte, vous pouvez ignorer ce message."],
    },
    ar: {
      subject: "تأكيد بريدك الإلكتروني",
      intro: "يرجى تأكيد عنوان بريدك الإلكتروني.",
      outro: ["إذا لم تنشئ حسابًا، يمكنك تجاهل هذه الرسالة."],
    },
  }[language];
  return compose("EMAIL_VERIFICATION", input, language, "verify-email", copy);
}

/** Sends a password-reset token; the user completes it with `POST /api/v1/auth/reset`. */
export function passwordResetMail(input: MailRecipient & { expiresInMinutes: number }): MailMessage {
  const language = mailLanguage(input.locale);
  const expiry = minutesInWords(language, input.expiresInMinutes);
  const copy = {
    en: {
      subject: "Reset your password",
      intro: "We received a request to reset your password.",
      outro: [
        `This request expires in ${expiry}.`,
        "If you did not ask for it, ignore this message: your password will not change.",
      ],
    },
    fr: {
      subject: "Réinitialisation de votre mot de passe",
      intro: "Nous avons reçu une demande de réinitialisation de votre mot de passe.",
      outro: [
        `Cette demande expire dans ${expiry}.`,
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe ne changera pas.",
      ],
    },
    ar: {
      subject: "إعادة تعيين كلمة المرور",
      intro: "تلقينا طلبًا لإعادة تعيين كلمة المرور الخاصة بك.",
      outro: [
        `تنتهي صلاحية هذا الطلب بعد ${expiry}.`,
        "إذا لم تطلب ذلك، فتجاهل هذه الرسالة ولن تتغير كلمة المرور.",
      ],
    },
  }[language];
  return compose("PASSWORD_RESET", input, language, "reset-password", copy);
}

/**
 * Tells someone that an account was created for them. They choose their password through the reset
 * flow: `POST /api/v1/auth/reset` with this token, which also marks the email verified.
 */
export function invitationMail(
  input: MailRecipient & { role: MailRole; expiresInDays: number },
): MailMessage {
  const language = mailLanguage(input.locale);
  const expiry = inWords(language, input.expiresInDays, "day");
  const role = roleNames[language][input.role];
  const copy = {
    en: {
      subject: "Your account has been created",
      intro: `An account has been created for you (role: ${role}). Choose your password to sign in.`,
      outro: [
        `This invitation expires in ${expiry}.`,
        "If you were not expecting it, you can ignore this message.",
      ],
    },
    fr: {
      subject: "Votre compte a été créé",
      intro: `Un compte a été créé pour vous (rôle : ${role}). Choisissez votre mot de passe pour vous connecter.`,
      outro: [
        `Cette invitation expire dans ${expiry}.`,
        "Si vous ne l'attendiez pas, vous pouvez ignorer ce message.",
      ],
    },
    ar: {
      subject: "تم إنشاء حسابك",
      intro: `تم إنشاء حساب لك (الدور: ${role}). اختر كلمة المرور لتسجيل الدخول.`,
      outro: [`تنتهي صلاحية هذه الدعوة بعد ${expiry}.`, "إذا لم تكن تتوقعها، يمكنك تجاهل هذه الرسالة."],
    },
  }[language];
  return compose("INVITATION", input, language, "accept-invitation", copy);
}

const notificationOutro: Record<Language, string> = {
  en: "You receive this message according to your notification preferences in the app.",
  fr: "Vous recevez ce message selon vos préférences de notification dans l'application.",
  ar: "تصلك هذه الرسالة وفقًا لتفضيلات الإشعارات في التطبيق.",
};

/**
 * A notification by mail: its title as the subject and its body, the same text the app shows (no
 * clinical detail: the notification's own rule), in the user's language.
 */
export function notificationMail(input: {
  to: string;
  firstName: string;
  locale?: string | null;
  subject: string;
  body: string;
}): MailMessage {
  const language = mailLanguage(input.locale);
  const lines = [common[language].greeting(input.firstName), "", input.body, "", notificationOutro[language]];
  return { kind: "NOTIFICATION", to: input.to, subject: input.subject, text: `${lines.join("\n")}\n` };
}

const roleNames: Record<Language, Record<MailRole, string>> = {
  en: { ADMIN: "administrator", DOCTOR: "doctor", PATIENT: "patient", STAFF: "staff" },
  fr: { ADMIN: "administrateur", DOCTOR: "médecin", PATIENT: "patient", STAFF: "personnel" },
  ar: { ADMIN: "مدير النظام", DOCTOR: "طبيب", PATIENT: "مريض", STAFF: "موظف" },
};

const common: Record<
  Language,
  { greeting: (name: string) => string; link: string; codeAfterLink: string; code: string }
> = {
  en: {
    greeting: (name) => `Hello ${name},`,
    link: "Open this link:",
    codeAfterLink: "Or enter this code in the app:",
    code: "Enter this code in the app:",
  },
  fr: {
    greeting: (name) => `Bonjour ${name},`,
    link: "Ouvrez ce lien :",
    codeAfterLink: "Ou saisissez ce code dans l'application :",
    code: "Saisissez ce code dans l'application :",
  },
  ar: {
    greeting: (name) => `مرحبًا ${name}،`,
    link: "افتح هذا الرابط:",
    codeAfterLink: "أو أدخل هذا الرمز في التطبيق:",
    code: "أدخل هذا الرمز في التطبيق:",
  },
};

// The token and the link sit on lines of their own: mail clients then link them whole, and in Arabic
// text the bidirectional algorithm cannot reorder them.
function compose(
  kind: MailKind,
  input: MailRecipient,
  language: Language,
  path: string,
  copy: { subject: string; intro: string; outro: string[] },
): MailMessage {
  const words = common[language];
  const lines = [words.greeting(input.firstName), "", copy.intro, ""];
  if (input.appUrl) {
    const link = `${input.appUrl.replace(/\/+$/, "")}/${path}?token=${encodeURIComponent(input.token)}`;
    lines.push(words.link, link, "", words.codeAfterLink, input.token);
  } else {
    lines.push(words.code, input.token);
  }
  lines.push("", ...copy.outro);
  return { kind, to: input.to, subject: copy.subject, text: `${lines.join("\n")}\n` };
}

function minutesInWords(language: Language, minutes: number): string {
  return minutes % 60 === 0 ? inWords(language, minutes / 60, "hour") : inWords(language, minutes, "minute");
}

type PluralForms = Partial<Record<Intl.LDMLPluralRule, (n: number) => string>> & {
  other: (n: number) => string;
};

// Arabic has a dual and counts 3–10 with a plural noun, 11–99 with a singular one (CLDR's few and many);
// the genitive dual fits after بعد.
const units: Record<Language, Record<Unit, PluralForms>> = {
  en: {
    minute: { one: (n) => `${n} minute`, other: (n) => `${n} minutes` },
    hour: { one: (n) => `${n} hour`, other: (n) => `${n} hours` },
    day: { one: (n) => `${n} day`, other: (n) => `${n} days` },
  },
  fr: {
    minute: { one: (n) => `${n} minute`, other: (n) => `${n} minutes` },
    hour: { one: (n) => `${n} heure`, other: (n) => `${n} heures` },
    day: { one: (n) => `${n} jour`, other: (n) => `${n} jours` },
  },
  ar: {
    minute: {
      one: () => "دقيقة واحدة",
      two: () => "دقيقتين",
      few: (n) => `${n} دقائق`,
      other: (n) => `${n} دقيقة`,
    },
    hour: {
      one: () => "ساعة واحدة",
      two: () => "ساعتين",
      few: (n) => `${n} ساعات`,
      other: (n) => `${n} ساعة`,
    },
    day: {
      one: () => "يوم واحد",
      two: () => "يومين",
      few: (n) => `${n} أيام`,
      many: (n) => `${n} يومًا`,
      other: (n) => `${n} يوم`,
    },
  },
};

function inWords(language: Language, amount: number, unit: Unit): string {
  if (!Number.isInteger(amount) || amount < 1)
    throw new RangeError(`Expiry must be a positive integer, got ${amount}`);
  const forms = units[language][unit];
  const form = forms[new Intl.PluralRules(language).select(amount)] ?? forms.other;
  return form(amount);
}
