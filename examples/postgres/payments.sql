-- The example's source database: payments.public.orders, captured by Debezium.
SELECT 'CREATE DATABASE payments' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'payments')\gexec
\c payments
CREATE TABLE IF NOT EXISTS orders (
  id serial PRIMARY KEY,
  customer text NOT NULL,
  amount_cents integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO orders (customer, amount_cents)
SELECT 'customer-' || n, n * 100 FROM generate_series(1, 3) AS n
WHERE NOT EXISTS (SELECT FROM orders);
