using System.Reflection;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>The check that every submodule and parameter a module keeps in a field is registered. A module's
/// parameters are found through what it registered, not by reflection (that gives them stable names); so a field set to
/// a <see cref="Module"/> without <c>RegisterModule</c> would silently drop its parameters from
/// <see cref="Module.Parameters"/>, and the optimiser would never train them. <see cref="Training.Trainer"/> runs this
/// once, before the first step, to make that mistake loud.</summary>
public static class ModuleRegistration
{
    /// <summary>Throws when <paramref name="model"/> or any of its registered submodules holds, in a field, a module
    /// (alone, or in an array or list) that is not registered anywhere in the model, or a tensor that requires
    /// gradients and is not one of the model's parameters. (A module registered elsewhere in the model, as for tied
    /// weights, is fine: its parameters are trained and its mode follows the model's.) Parameterless modules count
    /// too: an unregistered dropout would never be put into evaluation mode.</summary>
    /// <exception cref="InvalidOperationException">A field holds an unregistered module or parameter; the message names
    /// the class, the field and the registration to add.</exception>
    public static void ThrowIfUnregistered(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var modules = model.NamedModules().ToList();
        var registered = modules.Select(m => m.Module).ToHashSet(ReferenceEqualityComparer.Instance);
        var parameters = model.Parameters().ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var (path, module) in modules) Check(path, module, registered, parameters);
    }

    private static void Check(string path, Module module, HashSet<object?> registered, HashSet<object?> parameters)
    {
        string where = path.Length == 0 ? module.GetType().Name : $"{module.GetType().Name} at '{path}'";
        for (var type = module.GetType(); type is not null && type != typeof(Module); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                object? value = field.GetValue(module);
                string name = FieldName(field);
                foreach (var held in Modules(value))
                {
                    if (registered.Contains(held)) continue;
                    throw new InvalidOperationException(
                        $"{where}: field '{name}' holds a {held.GetType().Name} that is not registered, so its parameters would never be trained: assign it with RegisterModule(\"{name}\", …) (or keep several in a ModuleList)");
                }

                if (value is Tensor { RequiresGrad: true } tensor && !parameters.Contains(tensor))
                {
                    throw new InvalidOperationException(
                        $"{where}: field '{name}' holds a tensor that requires gradients but is not a registered parameter, so it would never be trained: assign it with RegisterParameter(\"{name}\", …)");
                }
            }
        }
    }

    /// <summary>The modules a field's value holds: itself, or the members of an array or list of modules.</summary>
    private static IEnumerable<Module> Modules(object? value) => value switch
    {
        Module module => [module],
        IEnumerable<Module> many => many.Where(m => m is not null),
        _ => [],
    };

    /// <summary>The field's name as written, without a backing field's decoration or a leading underscore.</summary>
    private static string FieldName(FieldInfo field)
    {
        string name = field.Name;
        if (name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is > 1 and var end) name = name[1..end];
        return name.TrimStart('_');
    }
}
