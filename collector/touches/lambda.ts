import { LAMBDA_FUNCTIONS, LAMBDA_HOST } from '../../core/net/lambda-host.ts';
import { asciiLower, validUtf8 } from './byte-text.ts';

/** A Lambda API path naming a function (`/<API version>/functions/<function>[/…]`): its group the function as written. */
const FUNCTION_PATH = /^\/+[^/]+\/+functions\/+([^/]+)/;
/**
 * A function as the Invoke API's FunctionName takes it: a name, `name:qualifier` (a version or an alias), an ARN
 * `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]` or a partial ARN
 * `<account>:function:<name>[:<qualifier>]`; its group the function's name.
 */
const FUNCTION_NAME = /^(?:arn:[^:]*:lambda:[^:]*:[^:]*:function:|[0-9]{12}:function:)?([^:]+)/;
/** The region an ARN names. */
const ARN_REGION = /^arn:[^:]*:lambda:([a-z0-9-]+):/;
/** A region's name as a host's label may hold it. */
const REGION = /^[a-z0-9-]+$/;
/** A colon as the aws-sdk escapes it in a path (an ARN's). */
const ESCAPED_COLON = /%3[Aa]/g;

/** The AWS SDKs' names of Lambda in `rpc.service`, lower-case (`Lambda`; the Java agent's AWS SDK 1.x `AWSLambda`). */
export const LAMBDA_SERVICES = new Set(['lambda', 'awslambda']);
/** Lambda's calls that run a function: the integration hands the function its payload, as a POST does. */
export const LAMBDA_INVOKES = new Set(['Invoke', 'InvokeAsync', 'InvokeWithResponseStream']);

/** The function's name (`orders-fn`) of a FunctionName in any of its forms (FUNCTION_NAME), '' for none. */
function functionName(given: string): string {
  return FUNCTION_NAME.exec(validUtf8(given).replace(ESCAPED_COLON, ':'))?.[1] ?? '';
}

/**
 * The function an HTTP call to Lambda's API names: `host` (host_v: lower-case, no port) a Lambda endpoint, the function
 * from the request `path` (`/2015-03-31/functions/arn%3Aaws%3Alambda%3A…%3Afunction%3Aorders-fn%3Aprod/invocations`,
 * as the aws-sdk sends an ARN), else from `givenName` (`faas.invoked_name`, `aws.lambda.function.name`). The endpoint's
 * name is then `/2015-03-31/functions/<function>` whatever the API version, qualifier or ARN (migration 129); undefined
 * for another host, or a call naming no function (ListFunctions).
 */
export function lambdaHttpName(host: string, path: string, givenName: string): string | undefined {
  if (!LAMBDA_HOST.test(host)) return undefined;
  const fn = functionName(FUNCTION_PATH.exec(validUtf8(path))?.[1] ?? givenName);
  return fn === '' ? undefined : `${LAMBDA_FUNCTIONS}${fn}`;
}

/**
 * The endpoint of an aws-sdk Lambda span with no HTTP request on it (the JavaScript aws-sdk and Python botocore
 * instrumentations: `faas.invoked_name`, `faas.invoked_region`; the Java agent's `aws.lambda.function.name`): host
 * `lambda.<region>.amazonaws.com` (`.com.cn` in China) of the region given (`faas.invoked_region`, else `aws.region`,
 * else the ARN's), else `hostV` when it is a Lambda endpoint; name `/2015-03-31/functions/<function>`, as its HTTP
 * request's (migration 129). Undefined when no function or no host is known.
 */
export function lambdaRpcEndpoint(givenName: string, region: string, hostV: string): { host: string; name: string } | undefined {
  const fn = functionName(givenName);
  if (fn === '') return undefined;
  const regional = regionHost(givenName, region);
  const host = regional !== '' ? regional : LAMBDA_HOST.test(hostV) ? hostV : '';
  return host === '' ? undefined : { host, name: `${LAMBDA_FUNCTIONS}${fn}` };
}

/**
 * Lambda's endpoint `lambda.<region>.amazonaws.com` (`.com.cn` in China) of the region given (`region`, else
 * `givenName`'s ARN's), '' when neither names one.
 */
function regionHost(givenName: string, region: string): string {
  const given = asciiLower(validUtf8(region !== '' ? region : (ARN_REGION.exec(validUtf8(givenName))?.[1] ?? '')));
  return REGION.test(given) ? `lambda.${given}.amazonaws.com${given.startsWith('cn-') ? '.cn' : ''}` : '';
}

/**
 * The endpoint of an aws-sdk Lambda call to LocalStack (which emulates AWS: its requests' hosts say nothing of the
 * function's): the function from the request `path` (`/2015-03-31/functions/<function>/invocations`), else from
 * `givenName`, under `lambda.<region>.amazonaws.com` of the region given (`region`, else `givenName`'s ARN's), as the
 * same call to AWS is (migration 131). Undefined when no function or no region is known.
 */
export function lambdaLocalStackEndpoint(path: string, givenName: string, region: string): { host: string; name: string } | undefined {
  const fn = functionName(FUNCTION_PATH.exec(validUtf8(path))?.[1] ?? givenName);
  const host = regionHost(givenName, region);
  return fn === '' || host === '' ? undefined : { host, name: `${LAMBDA_FUNCTIONS}${fn}` };
}
