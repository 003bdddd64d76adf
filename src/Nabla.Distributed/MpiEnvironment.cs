using System.Globalization;

namespace Nabla.Distributed;

/// <summary>What Open MPI's launcher tells each process through its environment, readable before (and without)
/// initialising MPI: whether mpirun started it, its rank, and how many ranks share its machine.</summary>
public static class MpiEnvironment
{
    /// <summary>Whether Open MPI's <c>mpirun</c> (or <c>mpiexec</c>) started this process: it sets
    /// <c>OMPI_COMM_WORLD_SIZE</c> in every rank's environment.</summary>
    public static bool StartedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;

    /// <summary>Whether another MPI launcher (MPICH's or Intel's mpiexec, Slurm's srun with PMI) started this process.
    /// This binding speaks Open MPI only, so such a run is refused rather than trained as N separate copies.</summary>
    public static bool StartedByOtherLauncher =>
        !StartedByMpirun && (Environment.GetEnvironmentVariable("PMI_SIZE") is not null || Environment.GetEnvironmentVariable("PMI_RANK") is not null);

    /// <summary>This process's rank in the world (<c>OMPI_COMM_WORLD_RANK</c>); 0 without mpirun.</summary>
    public static int Rank => Read("OMPI_COMM_WORLD_RANK", 0);

    /// <summary>Ranks on this machine (<c>OMPI_COMM_WORLD_LOCAL_SIZE</c>); 1 without mpirun. They share its cores.</summary>
    public static int LocalRanks => Math.Max(1, Read("OMPI_COMM_WORLD_LOCAL_SIZE", 1));

    private static int Read(string name, int otherwise) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : otherwise;
}
