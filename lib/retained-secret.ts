import { RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';

export interface RetainedSecretProps {
  readonly description: string;
  /** How many letters and digits Secrets Manager generates. */
  readonly length: number;
  /** Why no rotation function changes the key (answers cdk-nag's AwsSolutions-SMG4). */
  readonly notRotatedBecause: string;
}

/**
 * A key Secrets Manager generates (letters and digits), kept when the stack is deleted or the secret
 * replaced, and never rotated by a function: something outside the stack depends on its value (links
 * already mailed, systems configured with it), so a redeploy or a rotation must not change it under them.
 */
export const retainedSecret = (scope: Construct, id: string, props: RetainedSecretProps): Secret => {
  const secret = new Secret(scope, id, {
    description: props.description,
    generateSecretString: { passwordLength: props.length, excludePunctuation: true, includeSpace: false },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  NagSuppressions.addResourceSuppressions(secret, [{ id: 'AwsSolutions-SMG4', reason: props.notRotatedBecause }]);
  return secret;
};
