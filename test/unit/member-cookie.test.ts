import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  clearedSessionCookie,
  cookieValue,
  MEMBER_COOKIE_NAME,
  memberCookie,
  sessionCookie,
} from '../../lambdas/http/member-cookie';

const event = (fields: Partial<APIGatewayProxyEventV2>) => ({ headers: {}, ...fields }) as APIGatewayProxyEventV2;

describe('the member session cookie', () => {
  it('is HttpOnly, Secure, SameSite=Lax, for the whole site, for 30 days', () => {
    expect(sessionCookie('m.TOKEN')).toBe(
      'dispatch_member=m.TOKEN; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=2592000',
    );
  });

  it('is cleared with the same attributes and Max-Age=0', () => {
    expect(clearedSessionCookie()).toBe('dispatch_member=; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=0');
  });

  it('is read from payload 2.0 cookies, one pair per entry', () => {
    expect(memberCookie(event({ cookies: ['theme=dark', `${MEMBER_COOKIE_NAME}=m.abc.1-0.sig`] }))).toBe(
      'm.abc.1-0.sig',
    );
  });

  it('is read from a Cookie header too', () => {
    expect(memberCookie(event({ headers: { cookie: `a=1; ${MEMBER_COOKIE_NAME}=m.x ;b=2` } }))).toBe('m.x');
  });

  it('takes the first of two cookies of the name (the most specific path comes first)', () => {
    expect(cookieValue([`${MEMBER_COOKIE_NAME}=first; ${MEMBER_COOKIE_NAME}=second`], MEMBER_COOKIE_NAME)).toBe(
      'first',
    );
  });

  it('is not fooled by a name that only contains it, nor by pairs without a value', () => {
    expect(cookieValue([`x${MEMBER_COOKIE_NAME}=evil`, MEMBER_COOKIE_NAME, 'garbage'], MEMBER_COOKIE_NAME)).toBe(
      undefined,
    );
    expect(cookieValue([`${MEMBER_COOKIE_NAME}_old=evil; ${MEMBER_COOKIE_NAME}=`], MEMBER_COOKIE_NAME)).toBe('');
  });

  it('is absent when there are no cookies', () => {
    expect(memberCookie(event({}))).toBeUndefined();
  });
});
