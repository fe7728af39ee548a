import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ALARM_FIRST_COMMANDS } from "../components/runbook";
import { parseSettings, SETTINGS } from "../contracts";

const README = readFileSync(join(__dirname, "..", "README.md"), "utf8");
const PACKAGE = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
  scripts: Record<string, string>;
};

test("the README's configuration table lists every setting with its real default", () => {
  const defaults = parseSettings({});
  for (const { key } of SETTINGS) {
    const row = README.split("\n").find((line) => line.startsWith(`| \`${key}\` |`));
    assert.ok(row, `README lacks a row for ${key}`);
    const shown = row!.split("|")[2]!.trim();
    const actual = defaults[key];
    if (key === "visibilityTimeoutSeconds") assert.is(shown, "6 x timeout");
    else if (actual === undefined) assert.is(shown, "unset");
    else assert.is(shown, String(actual), `README default for ${key}`);
  }
});

test("the README's two set-up commands exist as scripts", () => {
  assert.match(README, /npm ci && npm start/);
  assert.match(README, /^npm test\b/m);
  for (const script of ["start", "test", "local", "report", "bench", "produce"])
    assert.ok(PACKAGE.scripts[script], `package.json lacks ${script}`);
});

test("every alarm has a runbook entry in the README with the first command its description names", () => {
  const entries = README.split(/^### /m).slice(1);
  for (const [key, command] of Object.entries(ALARM_FIRST_COMMANDS)) {
    const entry = entries.find((e) => e.startsWith(`\`${key}\``));
    assert.ok(entry, `README has no "### \`${key}\`" entry under "When an alarm fires"`);
    assert.ok(entry!.includes(command), `the ${key} entry does not show \`${command}\``);
  }
});

test.run();
