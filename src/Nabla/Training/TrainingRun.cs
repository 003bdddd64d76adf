using System.Globalization;
using Nabla.Data;
using Nabla.Training.Callbacks;

namespace Nabla.Training;

/// <summary>The data of a <see cref="TrainingRun"/>: what it trains on and what it scores its epochs on.</summary>
/// <param name="Fit">The examples trained on: the training set, or what a validation split leaves of it.</param>
/// <param name="Watched">The set the epochs are scored on: the validation split, or the test set.</param>
/// <param name="WatchedName">"validation" or "test".</param>
public sealed record TrainingRunData(Dataset Fit, Dataset Watched, string WatchedName);

/// <summary>The outcome of a <see cref="TrainingRun"/>.</summary>
/// <param name="History">The epochs trained (all of them, on a resumed run).</param>
/// <param name="Interrupted">Whether Ctrl-C or the caller's cancellation ended the run early (a checkpoint was saved
/// first when the run has a checkpoint folder).</param>
/// <param name="RunId">The id its checkpoints carry, or null without checkpoints.</param>
/// <param name="NewestCheckpointStep">The step of the run's newest checkpoint, or null when none was saved.</param>
/// <param name="BestEpoch">The epoch whose weights early stopping kept, or null without early stopping.</param>
public sealed record TrainingRunResult(TrainingHistory? History, bool Interrupted, string? RunId, long? NewestCheckpointStep, int? BestEpoch);

/// <summary>A whole training run, as <c>nabla train</c> does it, for C# users: a validation split when early stopping
/// or the schedule needs one (the test set is then never looked at during training), early stopping that keeps the best
/// weights, a checkpoint folder for the run, a clean stop on Ctrl-C, and resume from a checkpoint with the run's
/// callbacks' state.</summary>
/// <example><code>
/// var run = new TrainingRun(trainer, new TrainingRunOptions(new TrainingOptions(Epochs: 20)) { EarlyStoppingPatience = 3, CheckpointDirectory = "runs/1" });
/// var result = run.Run(train, test);   // later: run.Run(train, test, resumeFrom: CheckpointStore.LoadLatest("runs/1"))
/// </code></example>
public sealed class TrainingRun(Trainer trainer, TrainingRunOptions options)
{
    /// <summary>The trainer.</summary>
    public Trainer Trainer { get; } = trainer ?? throw new ArgumentNullException(nameof(trainer));

    /// <summary>The options.</summary>
    public TrainingRunOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    private readonly EarlyStopping? _stopper = options?.EarlyStoppingPatience is { } patience ? new EarlyStopping(patience) : null;

    /// <summary>Whether the epochs are scored on a validation split of the training data: early stopping chooses an
    /// epoch and reduce-on-plateau a learning rate, so neither may look at the test set.</summary>
    public bool WatchesValidation => _stopper is not null || (Options.Training.Schedule?.WatchesValidation ?? false);

    /// <summary>What the run will train on and watch: <paramref name="train"/> and <paramref name="test"/>, or, when
    /// <see cref="WatchesValidation"/>, a stratified split of <paramref name="train"/>. Call it before anything is
    /// written, so that data too small to split is refused first.</summary>
    /// <exception cref="DataFormatException">The training set is too small to hold out a validation split.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The validation fraction is not in (0, 1).</exception>
    public TrainingRunData Prepare(Dataset train, Dataset test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (!(Options.ValidationFraction > 0 && Options.ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(TrainingRunOptions.ValidationFraction), string.Create(CultureInfo.InvariantCulture, $"the validation fraction must be in (0, 1), not {Options.ValidationFraction}"));
        return WatchesValidation ? Split(train, _stopper is not null ? "early stopping" : Options.Training.Schedule!.Name) : new TrainingRunData(train, test, "test");
    }

    /// <summary>Trains on <paramref name="train"/>, watching a validation split of it or <paramref name="test"/>; see
    /// <see cref="Run(TrainingRunData, IReadOnlyList{ITrainingCallback}?, Checkpoint?)"/>.</summary>
    /// <exception cref="DataFormatException">The training set is too small to hold out a validation split.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient went non-finite.</exception>
    public TrainingRunResult Run(Dataset train, Dataset test, IReadOnlyList<ITrainingCallback>? callbacks = null, Checkpoint? resumeFrom = null) =>
        Run(Prepare(train, test), callbacks, resumeFrom);

    /// <summary>Trains on <paramref name="data"/> (<see cref="Prepare"/>) with <paramref name="callbacks"/> besides
    /// the run's own (early stopping), from <paramref name="resumeFrom"/> when given.</summary>
    /// <exception cref="TrainingDivergedException">The loss or a gradient went non-finite; the message says which
    /// checkpoint, if any, holds the last good state.</exception>
    public TrainingRunResult Run(TrainingRunData data, IReadOnlyList<ITrainingCallback>? callbacks = null, Checkpoint? resumeFrom = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var all = new List<ITrainingCallback>(callbacks ?? []);
        if (_stopper is not null) all.Add(_stopper);
        string? runId = null;
        CheckpointOptions? checkpoints = null;
        if (Options.CheckpointDirectory is { } folder)
        {
            runId = resumeFrom?.Run.Id ?? Options.RunId ?? RunIdentity.NewId();
            checkpoints = new CheckpointOptions(folder, Options.CheckpointEvery, Settings: Options.Settings, RunId: runId);
        }

        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(Options.Training.Cancellation);
        void OnCtrlC(object? sender, ConsoleCancelEventArgs e)
        {
            // The first Ctrl-C asks for a checkpoint after the current step; a second one quits at once.
            e.Cancel = !interrupt.IsCancellationRequested;
            interrupt.Cancel();
        }

        if (Options.HandleCtrlC) Console.CancelKeyPress += OnCtrlC;
        try
        {
            var history = Trainer.Fit(data.Fit, data.Watched, Options.Training with { Checkpoints = checkpoints, Cancellation = interrupt.Token }, callbacks: all, resumeFrom: resumeFrom);
            return new TrainingRunResult(history, false, runId, NewestStep(runId), _stopper?.BestEpoch);
        }
        catch (OperationCanceledException)
        {
            return new TrainingRunResult(null, true, runId, NewestStep(runId), _stopper?.BestEpoch);
        }
        catch (TrainingDivergedException e) when (Options.CheckpointDirectory is not null)
        {
            string last = NewestStep(runId) is { } step ? $"the last good checkpoint (step {step}) is kept in {Options.CheckpointDirectory}" : "no checkpoint was saved before it";
            throw new TrainingDivergedException($"{e.Message}; {last}", e.Step, e.Layer);
        }
        finally
        {
            if (Options.HandleCtrlC) Console.CancelKeyPress -= OnCtrlC;
        }
    }

    /// <summary>A stratified validation split of <paramref name="train"/>, refused when either side would be empty.</summary>
    private TrainingRunData Split(Dataset train, string defaultReason)
    {
        var (fit, validation) = train.Split(Options.ValidationFraction, Options.Training.Seed);
        if (validation.Count == 0 || fit.Count == 0)
        {
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{Options.DataName ?? train.Name}: {train.Count} training rows are too few to hold out a {Options.ValidationFraction * 100:0.##}% validation split for {Options.ValidationReason ?? defaultReason}"));
        }

        return new TrainingRunData(fit, validation, "validation");
    }

    private long? NewestStep(string? runId) =>
        runId is null || Options.CheckpointDirectory is null ? null : CheckpointStore.NewestStep(Options.CheckpointDirectory, runId);
}
