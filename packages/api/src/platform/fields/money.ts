import { z } from "zod";

/** Money on the wire (API-CONTRACT §1): integer minor units and an ISO 4217 currency. */
export const ZMoney = z.strictObject({
  amountMinor: z.number().int().min(0).max(1_000_000_000),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "Expected an ISO 4217 currency code such as DZD")
    .default("DZD"),
});
export type Money = z.infer<typeof ZMoney>;
