import { request, type Schemas } from "./client";
import { toAddress, toTokens, toUser, type Address, type Tokens, type User } from "./types";

/** Register an account (409 ApiError when the email is taken, 422 for a weak password). */
export async function register(body: Schemas["Register"]): Promise<User> {
  return toUser(await request<Schemas["User"]>("POST", "/api/auth/register", { body }));
}

/** Log in: a token pair (one 401 ApiError for every failure). */
export async function logIn(body: Schemas["Login"]): Promise<Tokens> {
  return toTokens(await request<Schemas["TokenPair"]>("POST", "/api/auth/login", { body }));
}

/** Trade a refresh token for a new pair (it is then spent). */
export async function refreshSession(refreshToken: string): Promise<Tokens> {
  return toTokens(await request<Schemas["TokenPair"]>("POST", "/api/auth/refresh", { body: { refresh_token: refreshToken } }));
}

/** End the refresh token's session. */
export async function logOut(refreshToken: string): Promise<void> {
  await request<void>("POST", "/api/auth/logout", { body: { refresh_token: refreshToken } });
}

/** The signed-in user's profile. */
export async function getMe(token: string): Promise<User> {
  return toUser(await request<Schemas["User"]>("GET", "/api/users/me", { token }));
}

/** Change the signed-in user's name. */
export async function updateMe(token: string, body: Schemas["UpdateProfile"]): Promise<User> {
  return toUser(await request<Schemas["User"]>("PATCH", "/api/users/me", { token, body }));
}

/** The address book (at most 20). */
export async function listAddresses(token: string): Promise<Address[]> {
  return (await request<Schemas["AddressList"]>("GET", "/api/users/me/addresses", { token })).items.map(toAddress);
}

/** Add an address. */
export async function createAddress(token: string, body: Schemas["CreateAddress"]): Promise<Address> {
  return toAddress(await request<Schemas["Address"]>("POST", "/api/users/me/addresses", { token, body }));
}

/** Change an address (e.g. make it the default). */
export async function updateAddress(token: string, id: string, body: Schemas["UpdateAddress"]): Promise<Address> {
  return toAddress(await request<Schemas["Address"]>("PATCH", `/api/users/me/addresses/${id}`, { token, body }));
}

/** Remove an address. */
export async function deleteAddress(token: string, id: string): Promise<void> {
  await request<void>("DELETE", `/api/users/me/addresses/${id}`, { token });
}
