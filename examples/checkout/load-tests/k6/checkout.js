// Peak-load test for the checkout API: places orders and reads them back at the
// expected Black Friday rate.
//
//   k6 run -e BASE_URL=https://checkout.staging.acme.example load-tests/k6/checkout.js
//
// Run it against staging only: every iteration creates a real order.
import http from 'k6/http';
import { check } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8080';
const PEAK_RPS = Number(__ENV.PEAK_RPS || 150);

export const options = {
  scenarios: {
    peak: {
      executor: 'ramping-arrival-rate',
      startRate: 10,
      timeUnit: '1s',
      preAllocatedVUs: 50,
      maxVUs: 400,
      stages: [
        { target: PEAK_RPS, duration: '2m' },
        { target: PEAK_RPS, duration: '10m' },
        { target: 0, duration: '1m' },
      ],
    },
  },
  // The SLOs in docs/slo.md, checked at peak.
  thresholds: {
    http_req_failed: ['rate<0.001'],
    'http_req_duration{name:create_order}': ['p(99)<500'],
    'http_req_duration{name:get_order}': ['p(99)<200'],
    checks: ['rate>0.999'],
  },
};

const SKUS = ['TSHIRT-M-BLUE', 'SOCKS-42', 'HOODIE-L-GREY', 'CAP-ONE', 'MUG-350'];

function cart() {
  const lines = 1 + Math.floor(Math.random() * 4);
  const items = [];
  for (let i = 0; i < lines; i++) {
    items.push({
      sku: SKUS[(i + __ITER) % SKUS.length],
      quantity: 1 + Math.floor(Math.random() * 3),
      unit_price_cents: 599 + 100 * i,
    });
  }
  return { customer_id: `cus_load_${__VU}`, currency: 'EUR', items };
}

export default function () {
  const created = http.post(`${BASE_URL}/v1/orders`, JSON.stringify(cart()), {
    headers: { 'Content-Type': 'application/json' },
    tags: { name: 'create_order' },
  });
  const ok = check(created, {
    'order created': (r) => r.status === 201,
    'request id echoed': (r) => r.headers['X-Request-Id'] !== undefined,
  });
  if (!ok) {
    return;
  }

  const read = http.get(`${BASE_URL}/v1/orders/${created.json('id')}`, {
    tags: { name: 'get_order' },
  });
  check(read, {
    'order readable': (r) => r.status === 200,
    'order pending': (r) => r.json('status') === 'pending',
  });
}
