/**
 * The public HTTP API: every path goes to the Api Lambda, and every route requires IAM (SigV4)
 * authorization; there is no anonymous route.
 */
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Base path of the Cloudify REST v3.1 subset served by the Api Lambda. */
export const API_BASE_PATH = '/api/v3.1';

export interface StratusHttpApiProps {
  handler: IFunction;
}

export class StratusHttpApi extends Construct {
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, props: StratusHttpApiProps) {
    super(scope, id);
    const integration = new HttpLambdaIntegration('ApiIntegration', props.handler);
    const authorizer = new HttpIamAuthorizer();
    // the default route ($default) catches `/` and anything the explicit route does not
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Stratus API (Cloudify REST v3.1 subset)',
      defaultIntegration: integration,
      defaultAuthorizer: authorizer,
    });
    this.httpApi.addRoutes({ path: '/{proxy+}', methods: [HttpMethod.ANY], integration, authorizer });
  }

  /** URL clients use, base path included. */
  get url(): string {
    return `${this.httpApi.apiEndpoint}${API_BASE_PATH}`;
  }
}
