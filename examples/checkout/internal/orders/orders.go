// Package orders validates, prices and records checkout orders.
package orders

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"
)

var (
	// ErrInvalid wraps every validation error: the caller sent an order we refuse.
	ErrInvalid = errors.New("invalid order")
	// ErrNotFound is returned when no order has the requested id.
	ErrNotFound = errors.New("order not found")
)

const (
	maxItems    = 100
	maxQuantity = 1000
)

// Status is where an order is in its life: pending until checkout-worker applies the
// payment result.
type Status string

const (
	StatusPending Status = "pending"
	StatusPaid    Status = "paid"
	StatusFailed  Status = "payment_failed"
)

// Item is one line of a cart.
type Item struct {
	SKU            string `json:"sku"`
	Quantity       int    `json:"quantity"`
	UnitPriceCents int64  `json:"unit_price_cents"`
}

// CreateRequest is the body of POST /v1/orders.
type CreateRequest struct {
	CustomerID string `json:"customer_id"`
	Currency   string `json:"currency"`
	Items      []Item `json:"items"`
}

// Order is a recorded order.
type Order struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	Currency   string    `json:"currency"`
	Items      []Item    `json:"items"`
	TotalCents int64     `json:"total_cents"`
	Status     Status    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
}

// Store keeps orders.
type Store interface {
	Insert(ctx context.Context, o Order) error
	Get(ctx context.Context, id string) (Order, error)
}

// Service places and reads orders.
type Service struct {
	store Store
	now   func() time.Time
	newID func() string
}

// NewService returns a Service that records orders in store.
func NewService(store Store) *Service {
	return &Service{store: store, now: time.Now, newID: newOrderID}
}

// Place validates and prices req and records the order as pending.
func (s *Service) Place(ctx context.Context, req CreateRequest) (Order, error) {
	if err := req.Validate(); err != nil {
		return Order{}, err
	}
	total, err := Total(req.Items)
	if err != nil {
		return Order{}, err
	}
	o := Order{
		ID:         s.newID(),
		CustomerID: req.CustomerID,
		Currency:   req.Currency,
		Items:      req.Items,
		TotalCents: total,
		Status:     StatusPending,
		CreatedAt:  s.now().UTC(),
	}
	if err := s.store.Insert(ctx, o); err != nil {
		return Order{}, fmt.Errorf("insert order %s: %w", o.ID, err)
	}
	return o, nil
}

// Get returns the order with this id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (Order, error) {
	if id == "" {
		return Order{}, ErrNotFound
	}
	return s.store.Get(ctx, id)
}

// Validate reports the first problem with the request, wrapped in ErrInvalid.
func (r CreateRequest) Validate() error {
	switch {
	case r.CustomerID == "":
		return fmt.Errorf("%w: customer_id is required", ErrInvalid)
	case !validCurrency(r.Currency):
		return fmt.Errorf("%w: currency %q is not an ISO 4217 code such as EUR", ErrInvalid, r.Currency)
	case len(r.Items) == 0:
		return fmt.Errorf("%w: an order needs at least one item", ErrInvalid)
	case len(r.Items) > maxItems:
		return fmt.Errorf("%w: an order has at most %d items", ErrInvalid, maxItems)
	}
	for i, it := range r.Items {
		switch {
		case it.SKU == "":
			return fmt.Errorf("%w: item %d: sku is required", ErrInvalid, i)
		case it.Quantity < 1 || it.Quantity > maxQuantity:
			return fmt.Errorf("%w: item %d: quantity must be between 1 and %d", ErrInvalid, i, maxQuantity)
		case it.UnitPriceCents < 0:
			return fmt.Errorf("%w: item %d: unit_price_cents must not be negative", ErrInvalid, i)
		}
	}
	return nil
}

// Total is the sum of quantity × unit price over the items, refusing a total that
// does not fit in an int64.
func Total(items []Item) (int64, error) {
	var total int64
	for i, it := range items {
		if it.Quantity < 1 {
			return 0, fmt.Errorf("%w: item %d: quantity must be positive", ErrInvalid, i)
		}
		if it.UnitPriceCents > math.MaxInt64/int64(it.Quantity) {
			return 0, fmt.Errorf("%w: item %d: line total overflows", ErrInvalid, i)
		}
		line := it.UnitPriceCents * int64(it.Quantity)
		if total > math.MaxInt64-line {
			return 0, fmt.Errorf("%w: order total overflows", ErrInvalid)
		}
		total += line
	}
	return total, nil
}

func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

func newOrderID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("orders: reading random bytes: %v", err))
	}
	return "ord_" + hex.EncodeToString(b[:])
}
