import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Mailer, MailMessage } from "./mailer.ts";

/**
 * The development transport: each message becomes one `.eml` file under `outboxDir`, which
 * developers open to follow the links. Files are readable by their owner only, since they
 * carry live tokens.
 */
export function createFileMailer(outboxDir: string, from: string): Mailer {
  return {
    async send(message) {
      const now = new Date();
      const name = `${now.toISOString().replaceAll(":", "-")}-${message.kind}-${randomBytes(4).toString("hex")}.eml`;
      const content = renderMessage(message, from, now);
      // Created on every send (cheap with `recursive`), so deleting the outbox while the server runs is harmless.
      await mkdir(outboxDir, { recursive: true, mode: 0o700 });
      // Write then rename within the folder, so a reader never sees half a message.
      const temporary = join(outboxDir, `.${name}.tmp`);
      await writeFile(temporary, content, { mode: 0o600, flag: "wx" });
      try {
        await rename(temporary, join(outboxDir, name));
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
  };
}

function renderMessage(message: MailMessage, from: string, date: Date): string {
  const headers = [
    `From: ${headerValue("From", from)}`,
    `To: ${headerValue("To", message.to)}`,
    `Subject: ${encodeSubject(headerValue("Subject", message.subject))}`,
    `Date: ${rfc5322Date(date)}`,
    `Message-ID: <${randomUUID()}@${domainOf(from)}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
  ];
  const body = message.text.replace(/\r?\n/g, "\r\n");
  return `${headers.join("\r\n")}\r\n\r\n${body}${body.endsWith("\r\n") ? "" : "\r\n"}`;
}

/** A line break in a header value would let the value add headers of its own (header injection). */
function headerValue(field: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`Mail header ${field} contains a line break`);
  return value;
}

// 39 bytes → 52 base64 characters → a 64-character encoded word, so "Subject: " plus one word stays
// within the 78-character line that RFC 5322 recommends.
const ENCODED_WORD_BYTES = 39;

/** RFC 2047 `B` encoding, split on character boundaries so no word holds half a UTF-8 sequence. */
function encodeSubject(subject: string): string {
  if (/^[\x20-\x7e]*$/.test(subject)) return subject;
  const words: string[] = [];
  let chunk = "";
  for (const character of subject) {
    if (Buffer.byteLength(chunk + character) > ENCODED_WORD_BYTES) {
      words.push(chunk);
      chunk = "";
    }
    chunk += character;
  }
  words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word).toString("base64")}?=`).join("\r\n ");
}

/** `Tue, 01 Dec 2026 08:30:00 +0000`: `toUTCString()` ends with the obsolete zone name `GMT`. */
function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

function domainOf(address: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(address)?.[1] ?? "localhost";
}
