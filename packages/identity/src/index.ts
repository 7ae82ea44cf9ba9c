export {
  MODERATOR,
  identityKeyOf,
  isModerator,
  mayChange,
  USER_ID_MAX_LENGTH,
  USER_NAME_MAX_LENGTH,
  type Role,
  type User,
  type Viewer,
} from './user.js';
export { AuthenticationError, KeySetUnavailable } from './errors.js';
export {
  ALLOWED_USER_TOKEN_ALGORITHMS,
  DEFAULT_USER_TOKEN_ALGORITHMS,
  MAX_TOKEN_LENGTH,
  createUserTokenVerifier,
  keySetAt,
  localKeySet,
  type KeySet,
  type UserTokenSettings,
  type UserTokenVerifier,
} from './userTokens.js';
export {
  GATEWAY_CREDENTIAL_HEADER,
  MIN_SECRET_LENGTH,
  createGatewayCredentialSigner,
  createGatewayCredentialVerifier,
  type GatewayCredentialSigner,
  type GatewayCredentialVerifier,
} from './gatewayCredential.js';
export {
  DEFAULT_DEV_AUTH_FILE,
  DEMO_USERS,
  DEV_AUDIENCE,
  DEV_ISSUER,
  DEV_MARK,
  devAuth,
  devKeySet,
  signDevToken,
  type DevAuth,
  type DevTokenRequest,
} from './devAuth.js';
