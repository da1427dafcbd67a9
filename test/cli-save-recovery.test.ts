import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveOrRecover } from '../src/cli/save-output.js';
import { loadModel } from '../src/io/index.js';
import { lenet5 } from '../src/models/index.js';
import { trackTensors } from './helpers/leaks.js';

describe('saveOrRecover', () => {
  it('writes the model to a recovery directory named in the error when the final save fails', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'condensa-recover-'));
    const blocker = join(scratch, 'a-file');
    writeFileSync(blocker, 'x');
    const leaks = trackTensors();
    const model = lenet5({ seed: 0 });
    // The output went bad after the checks: its parent is now a file.
    const err = await saveOrRecover(model, join(blocker, 'out'), {
      extraJson: { 'summary.json': { ok: true } },
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(/^saving to .*a-file\/out failed \(.+\); the model was written to .+ instead/);
    const rescue = /written to (\S+) instead/.exec(message)![1];
    const back = await loadModel(rescue);
    expect(back.countParams()).toBe(model.countParams());
    expect(JSON.parse(readFileSync(join(rescue, 'summary.json'), 'utf8'))).toEqual({ ok: true });
    for (const m of [back, model]) m.dispose();
    leaks.check();
    expect(existsSync(join(blocker, 'out'))).toBe(false);
    rmSync(rescue, { recursive: true });
    rmSync(scratch, { recursive: true });
  });
});
