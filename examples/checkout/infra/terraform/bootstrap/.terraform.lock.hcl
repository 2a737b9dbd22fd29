# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.82.2"
  constraints = "~> 5.80"
  hashes = [
    "h1:UFJc4lxuqCIcxXhXK4A0QlrUPGqvrj1aeAj7Cgy4d/g=",
    "zh:03e6de284f5c87ee21deaabc3a7df22279edc96d8b1f1f3df370dbbc825c7f2e",
    "zh:1a2fa64c1843227c0013d7db5888935f589b73dc3be417cfec13fd34ebbdc197",
    "zh:218062a6c176b47bfd5fb7e822c1686c969c55b552d5770a7a81c676a129afd7",
    "zh:2d5d77d2cbadf52c27ccb7fe4d59d7e12fbaeb4cef8f6b238dc2eb5976e67bc0",
    "zh:39a408e7761f398d764c282a750c5d72d5196ecb09bc01a8cef0e76d1960bfe7",
    "zh:3d2996cbf4e5573c83ed52665c788fa0c20a7f923258e372477f3e49fcaac406",
    "zh:5579cd0319941bc8f0038b28a50d370a8aa2ef7bb41f403e620462aa8fa873d2",
    "zh:62f12a32dfa55950531e67c1ce58e9b48693f8d1b27b0ce73acfb367d6ba0e2b",
    "zh:70537d23020480d4b43d0d9608ce9b4753c6daa55755206254ce69b61263dbd4",
    "zh:9ad7970387905698412dee771228af9b3a76e4c3cc111e9036c78189277fb6ef",
    "zh:c061a1d67046a75624de5f693e4ad9d74f0560fea4a94f3484dcaeb455dfcf4e",
    "zh:e49a9bb777b5379136f2a2da0f6a0ce7a0c601c7767aefd0d75e9e210020f0e0",
    "zh:f0ca3984c170a609201fc5f9b622cb2325d7bfc50263587aba050bccca1c7957",
    "zh:f60ede065a7f2f1d09d38f665f86bc705c6080dcc891933c405e6b9a753eb6b8",
  ]
}
