#include "layoutengine.h"

#include <graphviz/gvc.h>

namespace tracemap {

QString LayoutEngine::graphvizVersion()
{
    GVC_t* context = gvContext();
    const QString version = QString::fromUtf8(gvcVersion(context));
    gvFreeContext(context);
    return version;
}

} // namespace tracemap
