// headcount/authorizer: the app server's side of the pattern (Node), on the `pusher` server SDK.
export {
  AuthorizerConfigError,
  createAuthorizer,
  type AuthorizeRequest,
  type AuthorizeResult,
  type Authorizer,
  type AuthorizerOptions,
  type ChannelSigner,
} from './authorizer.ts'
export { authorizeHttp, MAX_AUTH_BODY_BYTES, type HttpAuthorizeOptions } from './http.ts'
