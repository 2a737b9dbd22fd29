# Bootstrap: the S3 bucket that every other checkout stack keeps its state in, and
# the DynamoDB lock table that envs/staging still uses.
#
# This stack keeps its own state in a local file on purpose: it creates the bucket a
# remote backend would need, so its state cannot live there before the bucket exists.
# It changes about once a year. Apply it by hand from the tooling account; the state
# file is not committed (.gitignore) and a copy goes into the platform team's
# break-glass vault after every apply.
terraform {
  backend "local" {
    path = "terraform.tfstate"
  }
}

provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      service    = "checkout"
      managed-by = "terraform"
      repository = "acme/checkout"
    }
  }
}

resource "aws_s3_bucket" "state" {
  bucket = "acme-checkout-terraform-state"

  lifecycle {
    prevent_destroy = true
  }
}

# Every state write keeps the previous version: the way back from a corrupted or
# wrongly applied state.
resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket = aws_s3_bucket.state.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days           = 90
      newer_noncurrent_versions = 20
    }
  }
}

# Used by envs/staging until it moves to use_lockfile (PLAT-2184); delete afterwards.
resource "aws_dynamodb_table" "locks" {
  name         = "acme-checkout-terraform-locks"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "LockID"

  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  deletion_protection_enabled = true
}

output "state_bucket" {
  value = aws_s3_bucket.state.bucket
}
