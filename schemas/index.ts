import { Health, Message, Root } from './common.js'
import { ErrorBody, ErrorDetail } from './error.js'
import { User, UserCreate, UserUpdate, UsersPage } from './user.js'
import { LoginRequest, LogoutAll, PasswordChange, Session, SessionsPage, TokenPair } from './auth.js'
import { Store, StoreCreate, StoresPage, StoreWithItems } from './store.js'
import { Introspection, IntrospectionRequest, Jwks, KeyRotated, PublicJwk } from './keys.js'
import { EmailChange, EmailVerify, PasswordForgot, PasswordReset } from './email.js'
import { Item, ItemCreate, ItemPut, ItemsPage, ItemSummariesPage, ItemSummary } from './item.js'

/** Every schema with an `$id`, added once with `app.addSchema`: they become OpenAPI components. */
export const sharedSchemas = [
  ErrorDetail,
  ErrorBody,
  Message,
  Root,
  Health,
  User,
  UserCreate,
  UserUpdate,
  UsersPage,
  LoginRequest,
  TokenPair,
  Session,
  SessionsPage,
  PasswordChange,
  LogoutAll,
  Store,
  StoreWithItems,
  StoreCreate,
  StoresPage,
  Item,
  ItemSummary,
  ItemCreate,
  ItemPut,
  ItemsPage,
  ItemSummariesPage,
  PublicJwk,
  Jwks,
  KeyRotated,
  IntrospectionRequest,
  Introspection,
  EmailVerify,
  PasswordForgot,
  PasswordReset,
  EmailChange,
]
