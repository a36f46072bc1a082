import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, api, onUnauthenticated, type Me } from './api.ts';

/** Who is logged in (GET /api/auth/me). `me === null` means nobody: the app shows the login page. */
interface AuthValue {
  me: Me | null;
  /** true until the first /api/auth/me answer. */
  checking: boolean;
  /** Error other than "not logged in" from the first check (e.g. the server is down). */
  checkError: string | undefined;
  refresh: () => Promise<Me | null>;
  logout: () => Promise<void>;
  can: (permission: string) => boolean;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(true);
  const [checkError, setCheckError] = useState<string | undefined>(undefined);

  const refresh = useCallback(async () => {
    try {
      const m = await api.me();
      setMe(m);
      setCheckError(undefined);
      return m;
    } catch (e) {
      setMe(null);
      if (!(e instanceof ApiError && e.status === 401)) setCheckError(e instanceof Error ? e.message : String(e));
      return null;
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
    return onUnauthenticated(() => setMe(null));
  }, [refresh]);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setMe(null);
    }
  }, []);

  const value = useMemo<AuthValue>(() => ({
    me, checking, checkError, refresh, logout,
    can: (permission) => me?.permissions.includes(permission) ?? false,
  }), [me, checking, checkError, refresh, logout]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
