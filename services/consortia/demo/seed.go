package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	memberapp "github.com/consortia-dev/consortia/services/member/app"
	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/golang-jwt/jwt/v5"
)

// SeedContext returns ctx carrying the identity demo data is written with: an
// administrator token from the development issuer, so that calls between
// services (tender asking member about memberships) are authenticated too.
func SeedContext(ctx context.Context, iss *auth.Issuer) (context.Context, error) {
	claims := auth.Claims{Name: "demo seed", Roles: []string{auth.RoleAdmin}, RegisteredClaims: regClaims("system:demo-seed")}
	tok, err := iss.Issue(claims, time.Hour)
	if err != nil {
		return nil, err
	}
	claims.Issuer = iss.URL
	return auth.WithPrincipal(ctx, &auth.Principal{Claims: claims, Token: tok}), nil
}

// SeedMembers writes the demo clusters and companies through the member
// service's use cases, with ctx from SeedContext. Every step checks the read
// model first, so running it on every start only fills what is missing (e.g.
// after a crash mid-seed).
func SeedMembers(ctx context.Context, svc *memberapp.Service, year int, log *slog.Logger) (created int, err error) {
	for _, c := range Clusters {
		if _, err := svc.GetCluster(ctx, ClusterID(c.Key)); err == nil {
			continue
		}
		if _, err := svc.CreateCluster(ctx, c.Name, c.Region, c.Description, true, "demo-cluster-"+c.Key); err != nil && !errors.Is(err, domainerr.ErrAlreadyExists) {
			return created, fmt.Errorf("demo cluster %s: %w", c.Name, err)
		}
		created++
	}
	for _, c := range Companies(year) {
		o, err := svc.GetOrganization(ctx, c.ID())
		if errors.Is(err, domainerr.ErrNotFound) {
			o, err = svc.RegisterOrganization(ctx, c.Registration, "demo-org-"+c.Registration.TaxID)
			created++
		}
		if err != nil {
			return created, fmt.Errorf("demo company %s: %w", c.Registration.LegalName, err)
		}
		for _, key := range append(append([]string{}, c.Clusters...), c.Pending...) {
			id := ClusterID(key)
			if _, ok := o.Membership(id); !ok {
				if o, err = svc.RequestMembership(ctx, o.ID, id, ""); err != nil {
					return created, fmt.Errorf("demo membership %s in %s: %w", o.LegalName, key, err)
				}
			}
		}
		for _, key := range c.Clusters {
			id := ClusterID(key)
			if m, _ := o.Membership(id); m.Status != domain.MembershipActive {
				if o, err = svc.ApproveMembership(ctx, o.ID, id, ""); err != nil {
					return created, fmt.Errorf("demo approval %s in %s: %w", o.LegalName, key, err)
				}
			}
		}
	}
	if created > 0 {
		log.Info("demo data loaded", "clusters", len(Clusters), "companies", len(Companies(year)))
	}
	return created, nil
}

func regClaims(sub string) jwt.RegisteredClaims { return jwt.RegisteredClaims{Subject: sub} }
