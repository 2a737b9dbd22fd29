package orders

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"
)

type memStore struct {
	mu     sync.Mutex
	orders map[string]Order
	err    error
}

func (m *memStore) Insert(_ context.Context, o Order) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	if m.orders == nil {
		m.orders = map[string]Order{}
	}
	m.orders[o.ID] = o
	return nil
}

func (m *memStore) Get(_ context.Context, id string) (Order, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.orders[id]
	if !ok {
		return Order{}, ErrNotFound
	}
	return o, nil
}

func validRequest() CreateRequest {
	return CreateRequest{
		CustomerID: "cus_123",
		Currency:   "EUR",
		Items: []Item{
			{SKU: "TSHIRT-M-BLUE", Quantity: 2, UnitPriceCents: 1999},
			{SKU: "SOCKS-42", Quantity: 1, UnitPriceCents: 599},
		},
	}
}

func TestTotal(t *testing.T) {
	tests := []struct {
		name  string
		items []Item
		want  int64
	}{
		{"single line", []Item{{SKU: "A", Quantity: 1, UnitPriceCents: 500}}, 500},
		{"quantity multiplies", []Item{{SKU: "A", Quantity: 3, UnitPriceCents: 250}}, 750},
		{"lines add up", validRequest().Items, 2*1999 + 599},
		{"free item", []Item{{SKU: "GIFT", Quantity: 1, UnitPriceCents: 0}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Total(tt.items)
			if err != nil {
				t.Fatalf("Total: %v", err)
			}
			if got != tt.want {
				t.Errorf("Total = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestTotalRefusesOverflow(t *testing.T) {
	items := []Item{
		{SKU: "A", Quantity: 1, UnitPriceCents: math.MaxInt64},
		{SKU: "B", Quantity: 1, UnitPriceCents: 1},
	}
	if _, err := Total(items); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Total = %v, want ErrInvalid", err)
	}
	if _, err := Total([]Item{{SKU: "A", Quantity: 2, UnitPriceCents: math.MaxInt64/2 + 1}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("line overflow: Total = %v, want ErrInvalid", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*CreateRequest)
	}{
		{"no customer", func(r *CreateRequest) { r.CustomerID = "" }},
		{"lower-case currency", func(r *CreateRequest) { r.Currency = "eur" }},
		{"no items", func(r *CreateRequest) { r.Items = nil }},
		{"too many items", func(r *CreateRequest) { r.Items = make([]Item, maxItems+1) }},
		{"empty sku", func(r *CreateRequest) { r.Items[0].SKU = "" }},
		{"zero quantity", func(r *CreateRequest) { r.Items[0].Quantity = 0 }},
		{"negative price", func(r *CreateRequest) { r.Items[1].UnitPriceCents = -1 }},
	}
	if err := validRequest().Validate(); err != nil {
		t.Fatalf("valid request refused: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validRequest()
			tt.mutate(&req)
			if err := req.Validate(); !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestPlaceRecordsPendingOrder(t *testing.T) {
	store := &memStore{}
	svc := NewService(store)
	svc.now = func() time.Time { return time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC) }
	svc.newID = func() string { return "ord_test" }

	o, err := svc.Place(context.Background(), validRequest())
	if err != nil {
		t.Fatalf("Place: %v", err)
	}
	if o.Status != StatusPending || o.TotalCents != 4597 || o.ID != "ord_test" {
		t.Errorf("Place = %+v", o)
	}
	got, err := svc.Get(context.Background(), "ord_test")
	if err != nil || got.TotalCents != o.TotalCents {
		t.Errorf("Get = %+v, %v", got, err)
	}
}

func TestPlaceWrapsStoreErrors(t *testing.T) {
	boom := errors.New("connection reset")
	svc := NewService(&memStore{err: boom})
	if _, err := svc.Place(context.Background(), validRequest()); !errors.Is(err, boom) {
		t.Fatalf("Place = %v, want the store's error", err)
	}
}

func TestGetUnknownOrder(t *testing.T) {
	svc := NewService(&memStore{})
	if _, err := svc.Get(context.Background(), "ord_missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get = %v, want ErrNotFound", err)
	}
}
