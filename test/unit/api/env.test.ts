import { describe, expect, it } from 'vitest';
import { readApiEnv } from '../../../functions/api/env.ts';

const FULL = {
  TABLE_NAME: 'stratus',
  BUCKET_NAME: 'stratus-blueprints',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:stratus',
  AUTH_MODE: 'iam',
};

describe('readApiEnv', () => {
  it('reads a complete configuration', () => {
    expect(readApiEnv(FULL)).toEqual({
      tableName: 'stratus',
      bucketName: 'stratus-blueprints',
      stateMachineArn: FULL.STATE_MACHINE_ARN,
    });
  });

  it('names every missing variable at once', () => {
    const { TABLE_NAME: _t, STATE_MACHINE_ARN: _s, ...partial } = FULL;
    expect(() => readApiEnv(partial)).toThrow(/TABLE_NAME is not set; STATE_MACHINE_ARN is not set/);
  });

  it('refuses any auth mode but iam', () => {
    expect(() => readApiEnv({ ...FULL, AUTH_MODE: 'token' })).toThrow(/AUTH_MODE must be `iam`/);
  });
});
