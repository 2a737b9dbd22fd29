terraform {
  backend "s3" {
    bucket       = "acme-checkout-terraform-state"
    key          = "checkout/prod/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = "eu-west-1"

  # State lives in the tooling account; resources in the environment's own account.
  assume_role {
    role_arn = "arn:aws:iam::111122223333:role/terraform-checkout"
  }

  default_tags {
    tags = {
      service     = "checkout"
      environment = "prod"
      managed-by  = "terraform"
      repository  = "acme/checkout"
    }
  }
}

data "aws_vpc" "main" {
  tags = {
    Name = "acme-prod"
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
    Name = "acme-prod-eks-nodes"
  }
}

module "db" {
  source = "../../modules/rds"

  identifier                 = "checkout-prod"
  vpc_id                     = data.aws_vpc.main.id
  subnet_ids                 = data.aws_subnets.database.ids
  allowed_security_group_ids = [data.aws_security_group.eks_nodes.id]

  instance_class        = "db.r6g.large"
  allocated_storage     = 100
  max_allocated_storage = 500
  multi_az              = true
}

output "db_address" {
  description = "DB_HOST for deploy/k8s/overlays/production."
  value       = module.db.address
}
