using Nabla.NN;

namespace Nabla.Training;

/// <summary>The training or evaluation mode of a model and of each of its modules when a pass was captured: a capture
/// records the kernels of one mode (dropout's mask or none, batch statistics or running ones), so a replay must find
/// the same modes.</summary>
internal sealed class ModuleModes
{
    private readonly Module[] _modules;
    private readonly bool[] _training;

    public ModuleModes(Module model)
    {
        _modules = [.. model.NamedModules().Select(m => m.Module)];
        _training = [.. _modules.Select(m => m.IsTraining)];
    }

    /// <summary>Whether every module is still in the mode it was in when the snapshot was taken.</summary>
    public bool Unchanged()
    {
        for (int i = 0; i < _modules.Length; i++)
        {
            if (_modules[i].IsTraining != _training[i]) return false;
        }

        return true;
    }
}
