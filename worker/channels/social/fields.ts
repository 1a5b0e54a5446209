// The shapes the networks' account fields share (each network's channel.ts declares its own).
import { z } from "zod";

export const Secret = z.string().trim().min(1).max(512);
export const Origin = z.string().trim().max(200).url();
