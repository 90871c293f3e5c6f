import { z } from "zod";

/** Minor units (centimes of DZD): at most 10,000,000.00. */
export const ZMoneyAmount = z
  .number()
  .int()
  .min(0)
  .max(1_000_000_000)
  .meta({ description: "Minor units: centimes of DZD (300000 is 3,000.00 DZD)" });

/** Money on the wire (API-CONTRACT §1): integer minor units and an ISO 4217 currency. */
export const ZMoney = z.strictObject({
  amountMinor: ZMoneyAmount,
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "Expected an ISO 4217 currency code such as DZD")
    .default("DZD"),
});
export type Money = z.infer<typeof ZMoney>;

/** Money in an answer: the shape every DTO shows (`Money` in the OpenAPI document). */
export const ZMoneyDto = z
  .object({ amountMinor: ZMoneyAmount, currency: z.string().meta({ description: "ISO 4217" }) })
  .meta({ id: "Money", description: "An amount in minor units (centimes of DZD) and its currency" });
