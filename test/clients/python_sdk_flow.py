"""The BYO VNet flow of the walkthrough with the current Azure SDK for Python, against aksemu.

Run by test/clients/python-sdk.test.ts with the venv's python (scripts/clients.mjs installs it):
  AKSEMU_ENDPOINT=https://127.0.0.1:<port> REQUESTS_CA_BUNDLE=<data-dir>/ca.pem python python_sdk_flow.py
Prints one JSON object with what the assertions need. This is also the README's Python recipe.
"""
import base64
import json
import os
import sys
import uuid

from azure.identity import ClientSecretCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.authorization.models import RoleAssignmentCreateParameters
from azure.mgmt.containerservice import ContainerServiceClient
from azure.mgmt.containerservice.models import (
    ManagedCluster, ManagedClusterAgentPoolProfile, ManagedClusterAPIServerAccessProfile, ManagedClusterIdentity,
    ContainerServiceNetworkProfile, UserAssignedIdentity,
)
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.msi.models import Identity
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network.models import AddressSpace, Delegation, Subnet, VirtualNetwork
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import ResourceGroup

ENDPOINT = os.environ["AKSEMU_ENDPOINT"].rstrip("/")
TENANT = "00000000-0000-0000-0000-000000000001"
SUB = "00000000-0000-0000-0000-000000000000"
NETWORK_CONTRIBUTOR = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7"
RG, LOC = "py-rg", "westus2"

# Models, not dicts: these (TypeSpec-generated) SDKs send a dict as the raw JSON body.
# Any client id and secret work. The emulator is its own authority: no instance discovery
# (it would ask login.microsoftonline.com). The CA comes from REQUESTS_CA_BUNDLE.
credential = ClientSecretCredential(TENANT, "python-sdk", "any-secret", authority=ENDPOINT, disable_instance_discovery=True)
opts = {"base_url": ENDPOINT, "credential_scopes": [f"{ENDPOINT}/.default"]}
resources = ResourceManagementClient(credential, SUB, **opts)
network = NetworkManagementClient(credential, SUB, **opts)
msi = ManagedServiceIdentityClient(credential, SUB, **opts)
auth = AuthorizationManagementClient(credential, SUB, **opts)
aks = ContainerServiceClient(credential, SUB, **opts)

out = {}
resources.resource_groups.create_or_update(RG, ResourceGroup(location=LOC))
vnet = network.virtual_networks.begin_create_or_update(RG, "py-vnet", VirtualNetwork(
    location=LOC,
    address_space=AddressSpace(address_prefixes=["172.19.0.0/16"]),
    subnets=[
        Subnet(name="apiserver", address_prefix="172.19.0.0/28",
               delegations=[Delegation(name="aks", service_name="Microsoft.ContainerService/managedClusters")]),
        Subnet(name="nodes", address_prefix="172.19.1.0/24"),
    ],
)).result()
subnets = {s.name: s.id for s in vnet.subnets}
identity = msi.user_assigned_identities.create_or_update(RG, "py-identity", Identity(location=LOC))
for name in ("apiserver", "nodes"):
    auth.role_assignments.create(subnets[name], str(uuid.uuid4()), RoleAssignmentCreateParameters(
        role_definition_id=NETWORK_CONTRIBUTOR, principal_id=identity.principal_id, principal_type="ServicePrincipal",
    ))
out["roleAssignments"] = [ra.role_definition_id for ra in auth.role_assignments.list_for_scope(subnets["nodes"])]

cluster = aks.managed_clusters.begin_create_or_update(RG, "py-aks", ManagedCluster(
    location=LOC,
    identity=ManagedClusterIdentity(type="UserAssigned", user_assigned_identities={identity.id: UserAssignedIdentity()}),
    dns_prefix="py-aks",
    agent_pool_profiles=[ManagedClusterAgentPoolProfile(
        name="nodepool1", count=2, vm_size="Standard_DS2_v2", mode="System", vnet_subnet_id=subnets["nodes"])],
    network_profile=ContainerServiceNetworkProfile(network_plugin="azure"),
    api_server_access_profile=ManagedClusterAPIServerAccessProfile(
        enable_vnet_integration=True, subnet_id=subnets["apiserver"], enable_private_cluster=True),
)).result()
out["provisioningState"] = cluster.provisioning_state
out["privateFqdn"] = cluster.private_fqdn
out["enableVnetIntegration"] = cluster.api_server_access_profile.enable_vnet_integration
out["nodeResourceGroup"] = cluster.node_resource_group
out["eTag"] = cluster.e_tag
lb = network.load_balancers.get(cluster.node_resource_group, "kube-apiserver")
out["ilbAddress"] = lb.frontend_ip_configurations[0].private_ip_address

creds = aks.managed_clusters.list_cluster_user_credentials(RG, "py-aks")
out["kubeconfig"] = base64.b64decode(creds.kubeconfigs[0].value).decode() if isinstance(creds.kubeconfigs[0].value, str) else creds.kubeconfigs[0].value.decode()
upgrades = aks.managed_clusters.get_upgrade_profile(RG, "py-aks")
out["upgrades"] = [u.kubernetes_version for u in upgrades.control_plane_profile.upgrades or []]

aks.managed_clusters.begin_delete(RG, "py-aks").result()
out["clustersAfterDelete"] = [c.name for c in aks.managed_clusters.list_by_resource_group(RG)]
json.dump(out, sys.stdout)
