//go:build integration

// Integration tests against a real PostgreSQL with the migrations applied. CI runs them
// with a postgres service container; locally: docker compose up -d postgres, apply the
// migrations, then
//
//	CHECKOUT_TEST_DATABASE_URL='postgres://checkout@localhost:5432/checkout?sslmode=disable' \
//	  go test -tags=integration ./internal/...
package orders

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

func testPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	url := os.Getenv("CHECKOUT_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("CHECKOUT_TEST_DATABASE_URL is not set")
	}
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestPostgresStoreRoundTrip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store := NewPostgresStore(testPool(t))
	svc := NewService(store)

	placed, err := svc.Place(ctx, validRequest())
	if err != nil {
		t.Fatalf("Place: %v", err)
	}
	got, err := svc.Get(ctx, placed.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.TotalCents != placed.TotalCents || len(got.Items) != len(placed.Items) || got.Status != StatusPending {
		t.Errorf("read back %+v, placed %+v", got, placed)
	}
	if !got.CreatedAt.Equal(placed.CreatedAt.Truncate(time.Microsecond)) {
		t.Errorf("created_at = %v, want %v", got.CreatedAt, placed.CreatedAt)
	}
}

func TestPostgresStoreNotFound(t *testing.T) {
	store := NewPostgresStore(testPool(t))
	if _, err := store.Get(context.Background(), "ord_does_not_exist"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get = %v, want ErrNotFound", err)
	}
}
