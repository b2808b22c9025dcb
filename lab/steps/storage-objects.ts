// The NFS-style storage of seed 004, fixed: PVs are cluster-scoped (the seed gave them a namespace),
// reclaim policy Retain (Recycle is deprecated), a storage class with no provisioner so claims bind
// statically, and claimRef so each eng_app claim binds to the PV meant for it.
// hostpath: every node mounts LAB_DATA_DIR at /opt/nfs, so a hostPath there behaves like one export.
// nfs: an in-cluster NFS server exports /opt/nfs of a system node; PVs use `nfs:` sources.
import type { KubernetesObject, V1PersistentVolume } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../config-keys.ts';
import { MANAGED_BY } from '../kube.ts';
import { NFS_MOUNT_PATH } from '../providers/kind-config.ts';
import { NFS_SERVER_IMAGE } from '../versions.ts';

export const STORAGE_CLASS = 'lab-nfs';
export const NFS_NAMESPACE = 'lab-storage';

export interface VolumeSpec {
  name: string;
  dir: string;
  size: string;
  mode: 'ReadWriteOnce' | 'ReadOnlyMany';
  claim: { namespace: string; name: string };
}

/** The seed's two volumes: MySQL data (RWO) and the app's sentence/voice data (ROX). */
export const VOLUMES: VolumeSpec[] = [
  { name: 'eng-app', dir: 'eng_app', size: '10Gi', mode: 'ReadWriteOnce', claim: { namespace: 'eng-app', name: 'eng-app-pvc' } },
  { name: 'eng-app-data', dir: 'eng_app_data', size: '10Gi', mode: 'ReadOnlyMany', claim: { namespace: 'eng-app', name: 'eng-app-data-pvc' } },
];

export function storageClass(): KubernetesObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: STORAGE_CLASS, labels: { ...MANAGED_BY } },
    provisioner: 'kubernetes.io/no-provisioner',
    reclaimPolicy: 'Retain',
    volumeBindingMode: 'Immediate',
  } as KubernetesObject;
}

export function persistentVolume(v: VolumeSpec, source: { hostPath: true } | { nfsServer: string }): V1PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: v.name, labels: { ...MANAGED_BY, 'lab.cloud-native/volume': v.name } },
    spec: {
      capacity: { storage: v.size },
      accessModes: [v.mode],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: STORAGE_CLASS,
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: v.claim.namespace, name: v.claim.name },
      ...('hostPath' in source
        ? { hostPath: { path: `${NFS_MOUNT_PATH}/${v.dir}`, type: 'DirectoryOrCreate' } }
        : { nfs: { server: source.nfsServer, path: `/${v.dir}` }, mountOptions: ['nfsvers=4.1', 'hard'] }),
    },
  };
}

/**
 * In-cluster NFS server (LAB_STORAGE=nfs) on a system node, exporting that node's /opt/nfs.
 * Not verifiable here: the NFS mount itself needs a data plane (kind/minikube node images ship
 * nfs-common; the host kernel must be ≥ 4.15). The API objects are checked on the sim cluster.
 */
export function nfsServerObjects(): KubernetesObject[] {
  const labels = { app: 'nfs-server', ...MANAGED_BY };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NFS_NAMESPACE, labels: { ...MANAGED_BY } } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'nfs-server', namespace: NFS_NAMESPACE, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'nfs-server' } },
        template: {
          metadata: { labels },
          spec: {
            nodeSelector: { [NODEGROUP_LABEL]: 'system' },
            containers: [
              {
                name: 'nfs-server',
                image: NFS_SERVER_IMAGE,
                ports: [{ name: 'tcp-nfs', containerPort: 2049 }, { name: 'tcp-mountd', containerPort: 20048 }, { name: 'tcp-rpcbind', containerPort: 111 }],
                securityContext: { privileged: true },
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                volumeMounts: [{ name: 'export', mountPath: '/exports' }],
              },
            ],
            volumes: [{ name: 'export', hostPath: { path: NFS_MOUNT_PATH, type: 'DirectoryOrCreate' } }],
          },
        },
      },
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'nfs-server', namespace: NFS_NAMESPACE, labels },
      spec: {
        selector: { app: 'nfs-server' },
        ports: [
          { name: 'tcp-nfs', port: 2049, targetPort: 2049 },
          { name: 'tcp-mountd', port: 20048, targetPort: 20048 },
          { name: 'tcp-rpcbind', port: 111, targetPort: 111 },
        ],
      },
    } as KubernetesObject,
  ];
}
