/**
 * The well-known metadata and credential endpoints ClusterNetwork always excepts and denies, as
 * written out by hand from the cloud providers' documentation (not read from the implementation):
 * instance metadata 169.254.169.254 (AWS, Azure, GCP, OpenStack), ECS task credentials
 * 169.254.170.2, EKS Pod Identity 169.254.170.23; over IPv6 EC2 IMDS fd00:ec2::254 and EKS Pod
 * Identity fd00:ec2::23; and on IPv6 clusters the IPv4-mapped forms of the IPv4 ones.
 */
export const IPV4_METADATA = ['169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32'];
export const IPV6_METADATA = ['fd00:ec2::254/128', 'fd00:ec2::23/128'];
export const MAPPED_METADATA = ['::ffff:169.254.169.254/128', '::ffff:169.254.170.2/128', '::ffff:169.254.170.23/128'];
/**
 * What an IPv6 block gets excepted: the IPv6 endpoints only. The mapped forms are IPv4 to the API
 * server and to Calico, which refuse them as excepts of a non-mapped IPv6 block; they are reached over
 * IPv4, where the IPv4 block excepts them. Only an IPv4-mapped block (`::ffff:0.0.0.0/96`) gets them.
 */
export const IPV6_BLOCK_METADATA = IPV6_METADATA;
