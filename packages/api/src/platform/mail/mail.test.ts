import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { createFileMailer } from "./file-mailer.ts";
import type { MailMessage } from "./mailer.ts";
import { invitationMail, mailLanguage, passwordResetMail, verificationMail } from "./messages.ts";
import { createSmtpMailer } from "./smtp-mailer.ts";

const FROM = "Clinique El Amel <no-reply@clinic.example.dz>";
const TOKEN = "tok_Ab3-x9_Z+/=";

const scratch: string[] = [];
afterAll(() => Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A path inside a new temporary folder, so the mailer has to create the outbox itself. */
async function freshOutbox(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "mail-test-"));
  scratch.push(dir);
  return join(dir, "outbox");
}

function message(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    kind: "EMAIL_VERIFICATION",
    to: "amina@example.dz",
    subject: "Confirm your email address",
    text: `Hello Amina,\n\n${TOKEN}\n`,
    ...overrides,
  };
}

function parseEml(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf("\r\n\r\n");
  const headers = new Map<string, string>();
  // Folded lines start with white space and continue the previous header.
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n(?=[ \t])/g, "")
    .split("\r\n")) {
    const colon = line.indexOf(":");
    headers.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(split + 4) };
}

function decodeEncodedWords(value: string): string {
  const words = value.split(/\s+/).map((word) => /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(word)?.[1]);
  return Buffer.concat(words.map((word) => Buffer.from(word ?? "", "base64"))).toString("utf8");
}

describe("the file mailer", () => {
  test("writes one .eml file per message with the headers and the body", async () => {
    const outbox = await freshOutbox();
    await createFileMailer(outbox, FROM).send(message());

    const files = await readdir(outbox);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-EMAIL_VERIFICATION-[0-9a-f]{8}\.eml$/,
    );

    const raw = await readFile(join(outbox, files[0]!), "utf8");
    const { headers, body } = parseEml(raw);
    expect(headers.get("From")).toBe(FROM);
    expect(headers.get("To")).toBe("amina@example.dz");
    expect(headers.get("Subject")).toBe("Confirm your email address");
    expect(headers.get("Date")).toMatch(
      /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/,
    );
    expect(headers.get("Message-ID")).toMatch(/^<[0-9a-f-]{36}@clinic\.example\.dz>$/);
    expect(headers.get("MIME-Version")).toBe("1.0");
    expect(headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
    expect(headers.get("Content-Transfer-Encoding")).toBe("8bit");
    expect(body).toBe(`Hello Amina,\r\n\r\n${TOKEN}\r\n`);
    expect((await stat(join(outbox, files[0]!))).mode & 0o777).toBe(0o600);
  });

  test("creates the outbox readable by its owner only", async () => {
    const outbox = await freshOutbox();
    await createFileMailer(outbox, FROM).send(message());
    expect((await stat(outbox)).mode & 0o777).toBe(0o700);
  });

  test("concurrent sends produce distinct, complete files", async () => {
    const outbox = await freshOutbox();
    const mailer = createFileMailer(outbox, FROM);
    await Promise.all(Array.from({ length: 25 }, (_, i) => mailer.send(message({ text: `message ${i}\n` }))));

    const files = await readdir(outbox);
    expect(files).toHaveLength(25);
    expect(files.every((file) => file.endsWith(".eml"))).toBe(true);
    const bodies = await Promise.all(
      files.map(async (file) => parseEml(await readFile(join(outbox, file), "utf8")).body),
    );
    expect(new Set(bodies).size).toBe(25);
  });

  test("encodes a non-ASCII subject as RFC 2047 words on short lines", async () => {
    const outbox = await freshOutbox();
    const subject = "Réinitialisation de votre mot de passe — إعادة تعيين كلمة المرور الخاصة بك";
    await createFileMailer(outbox, FROM).send(message({ kind: "PASSWORD_RESET", subject }));

    const [file] = await readdir(outbox);
    const raw = await readFile(join(outbox, file!), "utf8");
    const headerBlock = raw.slice(0, raw.indexOf("\r\n\r\n"));
    expect(headerBlock).not.toContain("é");
    for (const line of headerBlock.split("\r\n")) expect(line.length).toBeLessThanOrEqual(78);
    const encoded = parseEml(raw).headers.get("Subject")!;
    expect(encoded).toMatch(/^=\?UTF-8\?B\?/);
    expect(decodeEncodedWords(encoded)).toBe(subject);
  });

  test("refuses a header value with a line break", async () => {
    const outbox = await freshOutbox();
    const mailer = createFileMailer(outbox, FROM);
    await expect(mailer.send(message({ to: "amina@example.dz\r\nBcc: eve@example.com" }))).rejects.toThrow(
      /line break/,
    );
    await expect(mailer.send(message({ subject: "Hi\nBcc: eve@example.com" }))).rejects.toThrow(/line break/);
  });
});

interface Received {
  from: string;
  to: string[];
  data: string;
}

/** A minimal SMTP peer: enough of RFC 5321 for nodemailer, no STARTTLS, no AUTH. */
async function startFakeSmtp(): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buffer = "";
    let inData = false;
    let current: Received = { from: "", to: [], data: "" };
    socket.write("220 fake.smtp ESMTP ready\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          current.data = buffer.slice(0, end).replace(/^\.\./gm, ".");
          received.push(current);
          current = { from: "", to: [], data: "" };
          buffer = buffer.slice(end + 5);
          inData = false;
          socket.write("250 2.0.0 queued\r\n");
          continue;
        }
        const newline = buffer.indexOf("\r\n");
        if (newline < 0) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") socket.write("250-fake.smtp\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n");
        else if (verb === "HELO") socket.write("250 fake.smtp\r\n");
        else if (verb === "MAIL") {
          current.from = /<([^>]*)>/.exec(line)?.[1] ?? "";
          socket.write("250 2.1.0 ok\r\n");
        } else if (verb === "RCPT") {
          current.to.push(/<([^>]*)>/.exec(line)?.[1] ?? "");
          socket.write("250 2.1.5 ok\r\n");
        } else if (verb === "DATA") {
          inData = true;
          socket.write("354 end with <CRLF>.<CRLF>\r\n");
        } else if (verb === "RSET" || verb === "NOOP") socket.write("250 ok\r\n");
        else if (verb === "QUIT") socket.end("221 bye\r\n");
        else socket.write("502 not implemented\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the fake SMTP server has no port");
  return {
    port: address.port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The text of a single-part message, whatever transfer encoding nodemailer chose. */
function decodedBody(data: string): string {
  const { headers, body } = parseEml(data);
  const encoding = headers.get("Content-Transfer-Encoding")?.toLowerCase();
  if (encoding === "base64") return Buffer.from(body, "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const bytes = body
      .replace(/=\r\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

describe("the SMTP mailer", () => {
  test("delivers the message to an SMTP peer", async () => {
    const smtp = await startFakeSmtp();
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${smtp.port}`, FROM);
    try {
      const mail = passwordResetMail({
        to: "karim@example.dz",
        firstName: "Karim",
        token: TOKEN,
        locale: "fr-DZ",
        appUrl: "https://app.example.dz",
        expiresInMinutes: 60,
      });
      await mailer.send(mail);

      expect(smtp.received).toHaveLength(1);
      const [delivered] = smtp.received;
      expect(delivered!.from).toBe("no-reply@clinic.example.dz");
      expect(delivered!.to).toEqual(["karim@example.dz"]);
      expect(parseEml(delivered!.data).headers.get("To")).toBe("karim@example.dz");
      const body = decodedBody(delivered!.data);
      expect(body).toContain(TOKEN);
      expect(body).toContain(`https://app.example.dz/reset-password?token=${encodeURIComponent(TOKEN)}`);
    } finally {
      mailer.close();
      await smtp.close();
    }
  });

  test("sends the html alternative when there is one", async () => {
    const smtp = await startFakeSmtp();
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${smtp.port}`, FROM);
    try {
      await mailer.send(message({ html: `<p>${TOKEN}</p>` }));
      expect(smtp.received[0]!.data).toMatch(/Content-Type: multipart\/alternative/i);
      expect(smtp.received[0]!.data).toMatch(/Content-Type: text\/html/i);
    } finally {
      mailer.close();
      await smtp.close();
    }
  });
});

const APP = "https://app.example.dz/";
const builders = [
  {
    kind: "EMAIL_VERIFICATION",
    path: "verify-email",
    build: (locale: string, appUrl?: string) =>
      verificationMail({ to: "a@example.dz", firstName: "Amina", token: TOKEN, locale, appUrl }),
  },
  {
    kind: "PASSWORD_RESET",
    path: "reset-password",
    build: (locale: string, appUrl?: string) =>
      passwordResetMail({
        to: "a@example.dz",
        firstName: "Amina",
        token: TOKEN,
        locale,
        appUrl,
        expiresInMinutes: 60,
      }),
  },
  {
    kind: "INVITATION",
    path: "accept-invitation",
    build: (locale: string, appUrl?: string) =>
      invitationMail({
        to: "a@example.dz",
        firstName: "Amina",
        token: TOKEN,
        locale,
        appUrl,
        role: "DOCTOR",
        expiresInDays: 7,
      }),
  },
] as const;
const locales = ["fr-DZ", "ar", "en"] as const;

describe("message builders", () => {
  describe.each(builders)("$kind", ({ kind, path, build }) => {
    test.each(locales)("in %s carries the token and the link", (locale) => {
      const mail = build(locale, APP);
      expect(mail.kind).toBe(kind);
      expect(mail.to).toBe("a@example.dz");
      expect(mail.text).toContain(TOKEN);
      expect(mail.text).toContain(`https://app.example.dz/${path}?token=${encodeURIComponent(TOKEN)}`);
      expect(mail.subject).not.toContain(TOKEN);
      expect(mail.text).toContain("Amina");
    });

    test.each(locales)("in %s carries the token but no link without appUrl", (locale) => {
      const mail = build(locale);
      expect(mail.text).toContain(TOKEN);
      expect(mail.text).not.toContain(path);
      expect(mail.text).not.toMatch(/https?:/);
    });

    test("speaks the user's language", () => {
      const [fr, ar, en] = locales.map((locale) => build(locale, APP));
      expect(new Set([fr!.subject, ar!.subject, en!.subject]).size).toBe(3);
      expect(ar!.subject).toMatch(/[\u0600-\u06ff]/);
      expect(build("de-DE").subject).toBe(en!.subject);
    });
  });

  test("picks the language from the primary subtag", () => {
    expect(mailLanguage("fr")).toBe("fr");
    expect(mailLanguage("FR_fr")).toBe("fr");
    expect(mailLanguage("ar-DZ")).toBe("ar");
    expect(mailLanguage("kab")).toBe("en");
    expect(mailLanguage(undefined)).toBe("en");
  });

  test("states expiry and role in words", () => {
    const reset = (locale: string, expiresInMinutes: number) =>
      passwordResetMail({ to: "a@example.dz", firstName: "A", token: TOKEN, locale, expiresInMinutes }).text;
    expect(reset("en", 60)).toContain("expires in 1 hour.");
    expect(reset("fr", 30)).toContain("expire dans 30 minutes.");
    expect(reset("ar", 120)).toContain("بعد ساعتين.");
    expect(reset("en", 60)).toContain("ignore this message");

    const invite = (locale: string, expiresInDays: number) =>
      invitationMail({
        to: "a@example.dz",
        firstName: "A",
        token: TOKEN,
        locale,
        role: "STAFF",
        expiresInDays,
      }).text;
    expect(invite("en", 7)).toContain("(role: staff)");
    expect(invite("en", 7)).toContain("expires in 7 days.");
    expect(invite("fr", 1)).toContain("expire dans 1 jour.");
    expect(invite("ar", 7)).toContain("بعد 7 أيام.");
    expect(invite("ar", 14)).toContain("بعد 14 يومًا.");
  });
});
