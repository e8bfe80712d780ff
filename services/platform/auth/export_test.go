package auth

import "time"

// SetCacheClock makes c read the time from now (tests of expiry).
func SetCacheClock(c *Cache, now func() time.Time) { c.now = now }
