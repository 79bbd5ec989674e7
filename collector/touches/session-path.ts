import { checkedRegExp } from '../../core/text/checked-regexp.ts';

/**
 * The endpoints that open, keep alive or close an API session (a login, sign-in or logout), on the whole request path,
 * lower-case, whatever the method. Like an OAuth 2.0 token request (classify.ts `TOKEN_PATH`), such a call fetches or
 * drops the integration's own credential, not data: it touches nothing. Each is the path its vendor documents:
 * - SAP Business One Service Layer: `…/b1s/v1/Login`, `…/b1s/v2/Logout` (POST; the B1SESSION cookie);
 * - Tableau REST API (`<version>` as `3.27`): `/api/<version>/auth/signin`, `…/auth/signout`, `…/auth/switchSite` (POST);
 * - Looker API (`<version>` as `4.0`): `/api/<version>/login`, `…/login/<user id>` (a token that runs as that user), `…/logout` (DELETE);
 * - Okta Authentication API: `/api/v1/authn` and its transaction steps under it (`…/authn/factors/<id>/verify`,
 *   `…/authn/cancel`);
 * - Snowflake's drivers, at the root of the account's host: `/session/v1/login-request`, `/session/token-request`,
 *   `/session/heartbeat`, `/session/authenticator-request` and `/session` (POST `?delete=true` closes it);
 * - Acumatica's contract-based REST API: `…/entity/auth/login`, `…/entity/auth/logout`;
 * - JD Edwards EnterpriseOne AIS: `/jderest/tokenrequest`, `/jderest/v2/tokenrequest` with `/logout` and `/validate`,
 *   `/jderest/orchestrator/jde-login`, `…/jde-logout` (GET in v3), `…/jde-validate-session`;
 * - Odoo: `/web/session/authenticate`, `/web/session/destroy`, `/web/session/logout`;
 * - Jira and Confluence Data Center: `…/rest/auth/1/session` (POST logs in, DELETE logs out);
 * - Qlik Cloud's `/login/jwt-session`, and the Qlik Sense Proxy Service's `/qps/<virtual proxy>/ticket` and
 *   `/qps/<virtual proxy>/session[/<id>]`;
 * - Infor Mongoose (CloudSuite Industrial, SyteLine): `/IDORequestService/ido/token/<config>[/<user>/<password>]` (GET);
 * - Epicor Kinetic: `…/TokenResource.svc` (POST);
 * - SAP BusinessObjects BI platform RESTful web services: `/biprws/logon/long`, `/biprws/logoff` (POST);
 * - Veeva Vault (`<version>` as `v24.1`): `/api/<version>/auth` (POST; the session id);
 * - Informatica Intelligent Cloud Services (REST API version 2): `/ma/api/v2/user/login`, `/saas/api/v2/user/logout`;
 * - MicroStrategy (Strategy) Library REST API: `…/api/auth/login`, `…/api/auth/logout`.
 * A resource that is only named so still touches its system: `/api/users/login-history`, `/customers/42/login`,
 * `/api/sessions`, `/b1s/v2/Users`, `/web/dataset/call_kw`.
 */
export const SESSION_PATH = checkedRegExp(
  [
    String.raw`/b1s/v[0-9]+/(?:login|logout)/?$`,
    String.raw`/api/[0-9]+\.[0-9]+/auth/(?:signin|signout|switchsite)/?$`,
    String.raw`/api/[0-9]+\.[0-9]+/(?:login(?:/[^/]+)?|logout)/?$`,
    String.raw`/api/v1/authn(?:/[^/]+)*/?$`,
    String.raw`^/+session(?:/v1/login-request|/token-request|/heartbeat|/authenticator-request)?/?$`,
    String.raw`/entity/auth/(?:login|logout)/?$`,
    String.raw`/jderest/(?:v[0-9]+/)?(?:tokenrequest(?:/logout|/validate)?|orchestrator/jde-(?:login|logout|validate-session))/?$`,
    String.raw`/web/session/(?:authenticate|destroy|logout)/?$`,
    String.raw`/rest/auth/1/session/?$`,
    String.raw`/login/jwt-session/?$`,
    String.raw`/qps/(?:[^/]+/)?(?:ticket|session(?:/[^/]+)?)/?$`,
    String.raw`/idorequestservice/ido/token(?:/[^/]+){1,3}/?$`,
    String.raw`/tokenresource\.svc/?$`,
    String.raw`/biprws/(?:logon/long|logoff)/?$`,
    String.raw`/api/v[0-9]+\.[0-9]+/auth/?$`,
    String.raw`/(?:ma|saas)/api/v2/user/(?:login|logout)/?$`,
    String.raw`/api/auth/(?:login|logout)/?$`,
  ].join('|'),
);
