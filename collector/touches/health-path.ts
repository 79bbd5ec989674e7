import { checkedRegExp } from '../../core/text/checked-regexp.ts';

/**
 * The health and liveness endpoints an integration checks a dependency with before it works (migration 119), on the whole
 * request path, lower-case, for a GET or HEAD: the answer says whether the service is up, never a record of it, so the
 * check touches nothing — like a pool's `SELECT 1`. Checking the ERP's health and then copying CRM customers into billing
 * made the flow erp → billing. The name, at the root or under one segment (a service's prefix), `api` and a version:
 * - `health`, `healthz`, `healthcheck`, `health-check`, `health_check`, `_health`, `livez`, `readyz`, `ping`, `_ping`,
 *   optionally followed by `live`, `liveness`, `ready`, `readiness`, `startup` or `started` (`/health/ready`, Quarkus's
 *   `/q/health/live`, `/api/v1/health`, Elasticsearch's `/_cluster/health`);
 * - Spring Boot's `…/actuator/health` and its groups (`/actuator/health/readiness`);
 * - Prometheus's `/-/healthy` and `/-/ready`.
 * A resource that is only named so deeper down still touches its system: `/api/patients/42/health`,
 * `/api/customers/ping/history`, and a POST or PUT to any of these.
 */
export const HEALTH_PATH = checkedRegExp(
  [
    String.raw`^/+(?:[^/]+/+)?(?:api/+)?(?:v[0-9.]+/+)?(?:health|healthz|healthcheck|health-check|health_check|_health|livez|readyz|ping|_ping)(?:/+(?:live|liveness|ready|readiness|startup|started))?/*$`,
    String.raw`^/+(?:[^/]+/+)?actuator/+health(?:/+[^/]+)?/*$`,
    String.raw`^/+-/+(?:healthy|ready)/*$`,
  ].join('|'),
);
