package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgresStore keeps orders in the orders table (migrations/).
type PostgresStore struct {
	pool *pgxpool.Pool
}

// NewPostgresStore returns a store backed by pool.
func NewPostgresStore(pool *pgxpool.Pool) *PostgresStore {
	return &PostgresStore{pool: pool}
}

// Insert records a new order.
func (s *PostgresStore) Insert(ctx context.Context, o Order) error {
	items, err := json.Marshal(o.Items)
	if err != nil {
		return fmt.Errorf("encode items: %w", err)
	}
	_, err = s.pool.Exec(ctx, `
		INSERT INTO orders (id, customer_id, currency, items, total_cents, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		o.ID, o.CustomerID, o.Currency, items, o.TotalCents, string(o.Status), o.CreatedAt)
	return err
}

// Get reads one order, or returns ErrNotFound.
func (s *PostgresStore) Get(ctx context.Context, id string) (Order, error) {
	var (
		o      Order
		items  []byte
		status string
	)
	err := s.pool.QueryRow(ctx, `
		SELECT id, customer_id, currency, items, total_cents, status, created_at
		FROM orders WHERE id = $1`, id).
		Scan(&o.ID, &o.CustomerID, &o.Currency, &items, &o.TotalCents, &status, &o.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Order{}, ErrNotFound
	}
	if err != nil {
		return Order{}, err
	}
	if err := json.Unmarshal(items, &o.Items); err != nil {
		return Order{}, fmt.Errorf("decode items of %s: %w", id, err)
	}
	o.Status = Status(status)
	return o, nil
}
