using Nabla.Distributed;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>A command run by <c>mpirun -np N nabla …</c>: each process is one rank of a data-parallel run. Without
/// mpirun nothing here touches MPI, and Open MPI need not be installed.</summary>
/// <remarks>
/// <para>Errors: a failure every rank meets at the same point, after a collective has told them all (ranks that
/// disagree, a batch that cannot be split, a diverged loss), is printed by rank 0 only, and every rank finalises MPI.
/// Any other failure may be this rank's alone (a data folder its machine lacks, a disk it cannot write): the rank prints
/// it, naming itself, and aborts the job, since the other ranks may already wait for it in a collective that would
/// never end.</para>
/// <para>Ending: a run that succeeded finalises MPI on every rank; mpirun returns the first non-zero code of any rank.</para>
/// </remarks>
internal static class RankLaunch
{
    public static int Run(TextWriter error, Func<IProcessGroup?, int> body)
    {
        if (MpiEnvironment.StartedByOtherLauncher)
        {
            error.WriteLine("nabla: error: an MPI launcher other than Open MPI's mpirun started this process (PMI_SIZE is set, OMPI_COMM_WORLD_SIZE is not): nabla trains across ranks with Open MPI only");
            return CommandRunner.Failure;
        }

        if (!MpiEnvironment.StartedByMpirun) return CommandRunner.Run(error, () => body(null));
        int rank = MpiEnvironment.Rank;
        MpiProcessGroup? group = null;
        Exception? failure = null;
        int code = CommandRunner.Run(
            error,
            () =>
            {
                try
                {
                    group = Start();
                    return body(group);
                }
                catch (Exception e)
                {
                    failure = e;
                    throw;
                }
            },
            quiet: rank == 0 ? null : SharedByAllRanks,
            label: rank == 0 ? "" : $" (rank {rank})");
        if (group is null) return code;   // MPI never started: mpirun sees the exit code
        if (failure is null || SharedByAllRanks(failure))
        {
            group.Dispose();
            return code;
        }

        error.Flush();
        group.Abort(code);
        return code;
    }

    /// <summary>Failures every rank meets alike, at the same point, after a collective.</summary>
    private static bool SharedByAllRanks(Exception e) => e is RankSetupException or TrainingDivergedException;

    private static MpiProcessGroup Start()
    {
        try
        {
            return MpiProcessGroup.Start();
        }
        catch (MpiException e)
        {
            throw new InvalidOperationException($"mpirun started this process, but MPI could not start: {e.Message}", e);
        }
    }
}
