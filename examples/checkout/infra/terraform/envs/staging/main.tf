terraform {
  backend "s3" {
    bucket         = "acme-checkout-terraform-state"
    key            = "checkout/staging/terraform.tfstate"
    region         = "eu-west-1"
    encrypt        = true
    dynamodb_table = "acme-checkout-terraform-locks"
  }
}

provider "aws" {
  region = "eu-west-1"

  # State lives in the tooling account; resources in the environment's own account.
  assume_role {
    role_arn = "arn:aws:iam::444455556666:role/terraform-checkout"
  }

  default_tags {
    tags = {
      service     = "checkout"
      environment = "staging"
      managed-by  = "terraform"
      repository  = "acme/checkout"
    }
  }
}

data "aws_vpc" "main" {
  tags = {
    Name = "acme-staging"
  }
}

data "aws_subnets" "database" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.main.id]
  }

  tags = {
    tier = "database"
  }
}

data "aws_security_group" "eks_nodes" {
  vpc_id = data.aws_vpc.main.id

  tags = {
    Name = "acme-staging-eks-nodes"
  }
}

module "db" {
  source = "../../modules/rds"

  identifier                 = "checkout-staging"
  vpc_id                     = data.aws_vpc.main.id
  subnet_ids                 = data.aws_subnets.database.ids
  allowed_security_group_ids = [data.aws_security_group.eks_nodes.id]

  instance_class        = "db.t4g.medium"
  allocated_storage     = 20
  max_allocated_storage = 100
  multi_az              = false
}

output "db_address" {
  description = "DB_HOST for deploy/k8s/overlays/staging."
  value       = module.db.address
}
