// A real OpenID Connect provider for the tests of the web UI's single sign-on: zitadel/oidc's
// OP with its example storage and login page, serving one issuer over HTTPS with one user
// and one public client (authorization code with PKCE, no secret). The ID token carries the
// user's email (verified) and groups, which the API server's --oidc-* flags read.
//
//	oidc-provider --issuer https://127.0.0.1:9443 --listen 127.0.0.1:9443 \
//	  --tls-cert tls.crt --tls-key tls.key --client-id keelson \
//	  --redirect-uri http://127.0.0.1/ui/auth/callback \
//	  --username alice --password secret --email alice@example.com --groups team-a
//
// A loopback redirect URI matches any port (RFC 8252, 7.3): the client is a native one.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// groupsScope asks for the groups claim in the ID token.
const groupsScope = "groups"

func main() {
	issuer := flag.String("issuer", "", "issuer URL (https://host:port), exactly as the API server's --oidc-issuer-url")
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	cert := flag.String("tls-cert", "", "serving certificate (PEM)")
	key := flag.String("tls-key", "", "its private key (PEM)")
	clientID := flag.String("client-id", "keelson", "the public client's id")
	redirectURI := flag.String("redirect-uri", "", "the client's redirect URI")
	username := flag.String("username", "alice", "the user's login name")
	password := flag.String("password", "", "the user's password")
	email := flag.String("email", "", "the user's email (verified)")
	groups := flag.String("groups", "", "the user's groups, comma-separated")
	flag.Parse()
	if *issuer == "" || *cert == "" || *key == "" || *redirectURI == "" || *password == "" || *email == "" {
		fmt.Fprintln(os.Stderr,
			"oidc-provider: --issuer, --tls-cert, --tls-key, --redirect-uri, --password and --email are required")
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	storage.RegisterClients(storage.NativeClient(*clientID, *redirectURI))
	user := &storage.User{
		ID:                "user-1",
		Username:          *username,
		Password:          *password,
		FirstName:         *username,
		LastName:          "Test",
		Email:             *email,
		EmailVerified:     true,
		PreferredLanguage: language.English,
	}
	store := &claimsStorage{Storage: storage.NewStorage(oneUser{user}), groups: splitList(*groups)}
	router := exampleop.SetupServer(*issuer, store, logger, false)

	server := &http.Server{Addr: *listen, Handler: router}
	logger.Info("oidc provider serving", "issuer", *issuer, "listen", *listen)
	if err := server.ListenAndServeTLS(*cert, *key); err != http.ErrServerClosed {
		logger.Error("oidc provider stopped", "error", err)
		os.Exit(1)
	}
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// oneUser is the example storage's user store with a single user.
type oneUser struct{ user *storage.User }

func (u oneUser) GetUserByID(id string) *storage.User {
	if id == u.user.ID {
		return u.user
	}
	return nil
}

func (u oneUser) GetUserByUsername(username string) *storage.User {
	if username == u.user.Username {
		return u.user
	}
	return nil
}

// ExampleClientID names the example storage's JWT-profile service user (unused here).
func (oneUser) ExampleClientID() string { return "service" }

// claimsStorage is the example storage, whose clients put the userinfo claims (email) and
// the groups into the ID token, as Dex, Keycloak and Okta do for the API server.
type claimsStorage struct {
	*storage.Storage
	groups []string
}

func (s *claimsStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	client, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return claimsClient{client}, nil
}

func (s *claimsStorage) SetUserinfoFromRequest(
	ctx context.Context, info *oidc.UserInfo, token op.IDTokenRequest, scopes []string,
) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, token, scopes); err != nil {
		return err
	}
	if len(s.groups) > 0 && slices.Contains(scopes, groupsScope) {
		info.AppendClaims("groups", s.groups)
	}
	return nil
}

type claimsClient struct{ op.Client }

func (claimsClient) IDTokenUserinfoClaimsAssertion() bool { return true }

func (c claimsClient) IsScopeAllowed(scope string) bool {
	return scope == groupsScope || c.Client.IsScopeAllowed(scope)
}
