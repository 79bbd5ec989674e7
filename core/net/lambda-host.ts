/**
 * AWS Lambda's API endpoints (docs.aws.amazon.com/general/latest/gr/lambda-service.html), lower-case hosts:
 * `lambda.<region>.amazonaws.com`, `lambda-fips.<region>.amazonaws.com`, China's `….amazonaws.com.cn` and the dual-stack
 * `lambda.<region>.api.aws`.
 */
export const LAMBDA_HOST = /^lambda(?:-fips)?\.[a-z0-9-]+\.(?:amazonaws\.com(?:\.cn)?|api\.aws)$/;

/**
 * The path a call to AWS Lambda is known by, whatever path it used: the Invoke API's, up to the function
 * (`/2015-03-31/functions/orders-fn`; migration 129). A `urlPrefixes` rule names a function so.
 */
export const LAMBDA_FUNCTIONS = '/2015-03-31/functions/';
