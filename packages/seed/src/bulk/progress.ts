/**
 * What the bulk load reports as it goes: rows of a phase done out of that phase's total (for
 * `records`, the appointments looked at for a visit to write up).
 */
export interface LoadProgress {
  readonly phase: "doctors" | "patients" | "appointments" | "records" | "indexes" | "vacuum";
  readonly done: number;
  readonly total: number;
}

const WIDTH = 30;

export interface ProgressBar {
  update(progress: LoadProgress): void;
  /** Ends the bar's line. */
  done(): void;
}

/**
 * A one-line text bar on a stream (stderr): redrawn in place on a terminal; elsewhere (CI logs,
 * pipes) one line per phase step of at least 10 %, so a log stays short.
 */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const started = performance.now();
  const tty = stream.isTTY === true;
  let lastPhase = "";
  let lastTenth = -1;
  let drawn = false;
  return {
    update({ phase, done, total }) {
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(ratio * WIDTH);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const line =
        `${phase.padEnd(12)} [${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ` +
        `${String(Math.round(ratio * 100)).padStart(3)}% ${done.toLocaleString("en")}/${total.toLocaleString("en")}  ${seconds} s`;
      if (tty) {
        if (phase !== lastPhase && drawn) stream.write("\n");
        stream.write(`\r${line}\u001b[K`);
        drawn = true;
      } else {
        const tenth = Math.floor(ratio * 10);
        if (phase === lastPhase && tenth === lastTenth) return;
        lastTenth = tenth;
        stream.write(`${line}\n`);
      }
      lastPhase = phase;
    },
    done() {
      if (tty && drawn) stream.write("\n");
      drawn = false;
    },
  };
}
